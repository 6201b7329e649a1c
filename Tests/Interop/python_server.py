"""python-engineio's AsyncServer on aiohttp, echoing: the benchmark's reference server.

usage: python_server.py PORT [PING_INTERVAL [CERT KEY]]     (with CERT and KEY it serves https/wss)
"""
import ssl
import sys

import engineio
from aiohttp import web

port = int(sys.argv[1])
ping_interval = float(sys.argv[2]) if len(sys.argv) > 2 else 25
eio = engineio.AsyncServer(async_mode="aiohttp", ping_interval=ping_interval, cors_allowed_origins="*", max_http_buffer_size=10_000_000)


@eio.on("message")
async def message(sid, data):
    await eio.send(sid, data)


app = web.Application()
eio.attach(app)
print("ready", flush=True)
context = None
if len(sys.argv) > 4:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None, ssl_context=context)
