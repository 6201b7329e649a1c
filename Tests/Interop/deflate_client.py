"""An aiohttp WebSocket client that offers permessage-deflate (RFC 7692) to the server under test.

usage: deflate_client.py URL [echo|bomb]
Speaks Engine.IO v4 over a bare WebSocket. `echo` sends text and binary messages big enough to be compressed and
small enough not to be; `bomb` sends one message that is tiny on the wire but inflates past the server's limit.
Prints one JSON object: the negotiated compression, the echoes received and the close code, if the server closed.
"""
import asyncio
import base64
import json
import sys

import aiohttp

URL = sys.argv[1]
SCENARIO = sys.argv[2] if len(sys.argv) > 2 else "echo"
MESSAGES = ["hello", "z" * 200_000, "héllo wörld ☃ 😀" * 1000, b"\x01\x02", bytes(range(256)) * 400]


async def main():
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(URL, compress=15) as ws:
            opened = await ws.receive(timeout=10)
            assert opened.type == aiohttp.WSMsgType.TEXT and opened.data.startswith("0"), opened
            if SCENARIO == "bomb":
                await ws.send_str("4" + "0" * 5_000_000)
                while True:
                    msg = await ws.receive(timeout=10)
                    if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                        break
                print(json.dumps({"compress": ws.compress, "received": [], "close_code": ws.close_code}))
                return
            for message in MESSAGES:
                if isinstance(message, bytes):
                    await ws.send_bytes(message)
                else:
                    await ws.send_str("4" + message)
            received = []
            while len(received) < len(MESSAGES):
                msg = await ws.receive(timeout=10)
                if msg.type == aiohttp.WSMsgType.TEXT:
                    if msg.data == "2":
                        await ws.send_str("3")
                    elif msg.data.startswith("4"):
                        received.append({"text": msg.data[1:]})
                elif msg.type == aiohttp.WSMsgType.BINARY:
                    received.append({"binary": base64.b64encode(msg.data).decode()})
                else:
                    raise RuntimeError(f"unexpected {msg}")
            print(json.dumps({"compress": ws.compress, "received": received}))


asyncio.run(main())
