"""python-engineio's AsyncServer on aiohttp, echoing: the reference server for benchmarks and client tests.

usage: python_server.py PORT [PING_INTERVAL [CERT KEY]]     (PORT 0: any free port; with CERT and KEY: https/wss)
Prints "ready PORT" once it listens.
"""
import asyncio
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


async def main():
    app = web.Application()
    eio.attach(app)
    context = None
    if len(sys.argv) > 4:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, ssl_context=context)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]
    print(f"ready {bound}", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
