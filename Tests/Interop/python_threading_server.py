"""python-engineio's Server in threading mode behind Werkzeug, echoing: the other reference server.

usage: python_threading_server.py PORT      (PORT 0: any free port). Prints "ready PORT" once it listens.
"""
import sys

import engineio
from werkzeug.serving import make_server

eio = engineio.Server(async_mode="threading", cors_allowed_origins="*")


@eio.on("message")
def message(sid, data):
    eio.send(sid, data)


server = make_server("127.0.0.1", int(sys.argv[1]), engineio.WSGIApp(eio), threaded=True)
print(f"ready {server.server_port}", flush=True)
server.serve_forever()
