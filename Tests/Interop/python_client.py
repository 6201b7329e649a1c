"""python-engineio as a live client of the server under test.

usage: python_client.py sync|async URL TRANSPORTS SCENARIO
Prints one JSON object on its last line: what the client received, its transport, and why it disconnected.
"""
import asyncio
import base64
import json
import sys
import threading
import time

import engineio

MODE, URL, TRANSPORTS, SCENARIO = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]
MESSAGES = ["hello", b"\x01\x02\x03\x04", "héllo wörld ☃ 😀", "", "x" * 1_000_000, bytes(range(256)) * 3906]
BURST = [f"burst-{i}" for i in range(1000)]


def encode(data):
    if isinstance(data, bytes):
        return {"binary": base64.b64encode(data).decode()}
    return {"text": data if isinstance(data, str) else json.dumps(data)}


def expected():
    if SCENARIO == "echo":
        return len(MESSAGES) + len(BURST)
    return 1


class InlineClient(engineio.Client):
    """python's sync Client starts a thread for every message handler (`_receive_packet` calls `_trigger_event`
    with run_async=True), so two messages can reach `received` in either order whatever the server did. The tests
    check the order on the wire, so this client runs message handlers inline, on its read loop."""

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


def sync_main():
    client = InlineClient(request_timeout=10)
    received, done, result = [], threading.Event(), {}

    @client.on("message")
    def on_message(data):
        received.append(encode(data))
        if len(received) >= expected():
            done.set()

    @client.on("disconnect")
    def on_disconnect(reason=None):
        result["disconnect_reason"] = reason
        done.set()

    client.connect(URL, transports=TRANSPORTS)
    time.sleep(0.3)  # let a polling client finish its upgrade before the burst
    result["transport"] = client.transport()
    if SCENARIO == "echo":
        for message in MESSAGES + BURST:
            client.send(message)
    elif SCENARIO == "idle":
        time.sleep(2.0)
        client.send("still alive")
    elif SCENARIO == "kicked":
        client.send("kick-me")
    done.wait(30)
    if SCENARIO == "kicked":
        time.sleep(0.5)
    result["received"] = received
    if client.state == "connected":
        client.disconnect()
    return result


async def async_main():
    client = engineio.AsyncClient(request_timeout=10)
    received, done, result = [], asyncio.Event(), {}

    @client.on("message")
    async def on_message(data):
        received.append(encode(data))
        if len(received) >= expected():
            done.set()

    @client.on("disconnect")
    async def on_disconnect(reason=None):
        result["disconnect_reason"] = reason
        done.set()

    await client.connect(URL, transports=TRANSPORTS)
    await asyncio.sleep(0.3)
    result["transport"] = client.transport()
    if SCENARIO == "echo":
        for message in MESSAGES + BURST:
            await client.send(message)
    elif SCENARIO == "idle":
        await asyncio.sleep(2.0)
        await client.send("still alive")
    elif SCENARIO == "kicked":
        await client.send("kick-me")
    try:
        await asyncio.wait_for(done.wait(), 30)
    except asyncio.TimeoutError:
        pass
    if SCENARIO == "kicked":
        await asyncio.sleep(0.5)
    result["received"] = received
    if client.state == "connected":
        await client.disconnect()
    return result


outcome = sync_main() if MODE == "sync" else asyncio.run(async_main())
print(json.dumps(outcome))
