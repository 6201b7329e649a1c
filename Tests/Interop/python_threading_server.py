"""python-engineio's Server in threading mode behind Werkzeug, echoing: the other reference server.

usage: python_threading_server.py PORT
"""
import sys

import engineio
from werkzeug.serving import run_simple

eio = engineio.Server(async_mode="threading", cors_allowed_origins="*")


@eio.on("message")
def message(sid, data):
    eio.send(sid, data)


run_simple("127.0.0.1", int(sys.argv[1]), engineio.WSGIApp(eio), threaded=True)
