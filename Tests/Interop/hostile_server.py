"""A hostile (or dying) Engine.IO v4 server for the client's tests: one failure case per MODE.

usage: hostile_server.py MODE [--port 0] [--host 127.0.0.1] [--delay SECONDS] [--ping-interval MS]
                         [--ping-timeout MS] [--max-payload BYTES] [--rcvbuf BYTES] [--verbose]

Binds HOST:PORT (port 0: any free port), prints exactly "ready PORT" on stdout once it listens (after any
precomputation), then serves every connection per MODE until killed. Standard library only.

Unless its line says otherwise, a mode serves the normal, echoing protocol: polling handshake (`0{open}`), parked
GETs that return queued packets joined by \\x1e (at most 16 a poll), POSTs answered `ok`, WebSocket with upgrade
(`2probe` -> `3probe`, the parked GET gets `6`, then `5`), direct WebSocket, `4x` echoed as `4x`, binary echoed,
server pings `2` every pingInterval and the session closed when no `3` comes within pingTimeout. Defaults:
pingInterval 25000, pingTimeout 20000, maxPayload 1000000, upgrades ["websocket"].

| MODE            | what the wire does                                                                         |
|-----------------|--------------------------------------------------------------------------------------------|
| echo            | well-behaved polling + WebSocket echo server (the baseline, and redirect targets)          |
| ws-no-open      | WebSocket: correct 101, then never a frame (no open packet, no `3probe`); reads and holds  |
| ws-trickle-open | WebSocket: correct 101, then the first frame (open packet, or `3probe`) one byte per DELAY |
| ws-trickle-101  | WebSocket: the 101 response one byte per DELAY (--delay, default 1.0 s), then normal       |
| polling-silent  | any request: read it, never answer; hold the socket until the client closes it             |
| polling-trickle | polling handshake response (head and body) one byte per DELAY, then normal                 |
| die-after-open  | open packet with pingInterval 1000, pingTimeout 1000, then silence: polling answers the    |
|                 | handshake and holds every later request unanswered; WebSocket sends the open frame and     |
|                 | nothing more (never pings, never answers)                                                  |
| post-blackhole  | polling only (upgrades []): GETs park and get `2` each pingInterval; POSTs are read and    |
|                 | never answered (no pong enforcement)                                                       |
| ws-no-read      | WebSocket (direct or upgraded) opens normally, then the server stops reading the socket    |
|                 | (transport paused, SO_RCVBUF 65536 unless --rcvbuf); it keeps pinging, no pong enforcement |
| ws-close-watch  | WebSocket open with pingInterval 1000, pingTimeout 1000, never pings, answers a close      |
|                 | frame with a close frame and waits; on the client's TCP end (FIN or RST) prints "tcp-      |
|                 | closed SECONDS" (float, since the socket was accepted) on stdout                           |
| chunked-endless | polling handshake: `Transfer-Encoding: chunked`, `0{"sid":…,"pad":"` then 64 KiB chunks of |
|                 | `x` forever                                                                                |
| gzip-bomb       | polling handshake: `Content-Encoding: gzip`, ~1 MB body inflating to 1 GiB of b"0"         |
| ws-fragments    | WebSocket opens normally, then one text message `4xxx…` as 500 frames of 1 MiB (a text     |
|                 | frame with FIN clear, 499 continuations, FIN only on the last), then echo                  |
| big-open        | the open packet is 50 MB (JSON padded with a "pad" string), over polling and WebSocket     |
| ws-big-message  | WebSocket opens normally, then one 5 MB text message `4xxx…` in one frame, then echo; over |
|                 | polling the first GET returns the same 5 MB packet                                         |
| ws-masked       | WebSocket opens normally, then a masked text frame `4hello` (a protocol violation), then   |
|                 | echo                                                                                       |
| ws-reset        | WebSocket handshake request: TCP reset (SO_LINGER 0, close); polling is normal             |
| reset           | any request: TCP reset                                                                     |
| close           | any request: read it, then close cleanly (FIN), no answer                                  |
| redirect-CODE   | CODE 301/302/303/307/308: a handshake (GET without sid) and without hop=1 gets CODE with   |
|                 | `Location: http://HOST:PORT/PATH?<same query>&hop=1` (empty body); with hop=1 it is normal |
| redirect-loop   | every handshake gets 302 to itself with hop=N+1: never ends                                |

Notes:
- --ping-interval / --ping-timeout override the open packet's values (and the heartbeat) in every mode.
- A WebSocket handshake that is redirected keeps transport=websocket in its Location.
- stdout carries only "ready PORT" and, in ws-close-watch, one "tcp-closed SECONDS" per WebSocket connection (read
  them: a full pipe would stall the server). --verbose logs requests and events on stderr.
"""
import argparse
import asyncio
import base64
import hashlib
import json
import logging
import os
import resource
import socket
import struct
import sys
import time
import zlib
from urllib.parse import parse_qsl, urlencode

MODES = [
    "echo", "ws-no-open", "ws-trickle-open", "ws-trickle-101", "polling-silent", "polling-trickle",
    "die-after-open", "post-blackhole", "ws-no-read", "ws-close-watch", "chunked-endless", "gzip-bomb",
    "ws-fragments", "big-open", "ws-big-message", "ws-masked", "ws-reset", "reset", "close",
    "redirect-301", "redirect-302", "redirect-303", "redirect-307", "redirect-308", "redirect-loop",
]
FAST_HEARTBEAT = {"die-after-open", "ws-close-watch"}   # open packet says 1000/1000 ms
NO_PINGS = {"die-after-open", "ws-close-watch"}          # the server never pings
NO_PONG_CHECK = {"post-blackhole", "ws-no-read"}         # pings, but never closes for a missing pong

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
REASONS = {101: "Switching Protocols", 200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other",
           307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request"}
SLICE = 256 * 1024
MAX_PACKETS_PER_POLL = 16   # python-engineio's clients refuse longer payloads

ARGS = None
MODE = ""
PORT = 0
PING_INTERVAL = 25000
PING_TIMEOUT = 20000
SESSIONS = {}
GZIP_BOMB = b""             # gzip-bomb: built once at start
BIG_PAD = b""               # big-open: the padding string
BIG_MESSAGE = ""            # ws-big-message: "4xxx…", 5 MB
FRAGMENT = b""              # ws-fragments: 1 MiB of "x"


def emit(line):
    print(line, flush=True)


def log(message):
    if ARGS.verbose:
        print(f"[{time.monotonic():.3f}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- precomputed payloads

def build_gzip_bomb(total=1 << 30, block=1 << 20):
    """A gzip member inflating to `total` bytes of b"0", about 1 MB long.

    Built with one raw-deflate compressobj and Z_FULL_FLUSH after every 1 MiB: a full flush forgets the history, so
    every block after the first compresses to the same bytes, which are repeated instead of recompressed.
    """
    data = b"0" * block
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)
    second = c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)
    third = c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)
    count = total // block
    if second == third:
        deflated = first + second * (count - 1) + c.flush(zlib.Z_FINISH)
    else:  # not expected with zlib; fall back to compressing every block
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        deflated = b"".join(c.compress(data) for _ in range(count)) + c.flush()
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(data, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"   # magic, deflate, no flags, mtime 0, XFL 2, OS unknown
    return header + deflated + struct.pack("<II", crc & 0xFFFFFFFF, total & 0xFFFFFFFF)


# ---------------------------------------------------------------- HTTP

class Request:
    def __init__(self, method, path, pairs, version, headers, body):
        self.method, self.path, self.pairs, self.version, self.headers, self.body = \
            method, path, pairs, version, headers, body
        self.query = dict(pairs)

    @property
    def wants_close(self):
        connection = self.headers.get("connection", "").lower()
        return "close" in connection or (self.version == "HTTP/1.0" and "keep-alive" not in connection)


async def read_request(reader):
    """The next request on the connection, body included; None at EOF or on garbage."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        path, _, query = target.partition("?")
        body = b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                if size == 0:
                    while await reader.readuntil(b"\r\n") != b"\r\n":
                        pass
                    break
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(parts)
        elif headers.get("content-length"):
            body = await reader.readexactly(int(headers["content-length"]))
        return Request(method, path, parse_qsl(query, keep_blank_values=True), version, headers, body)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        return None


def response_head(status, length, extra=(), content_type="text/plain; charset=UTF-8"):
    lines = [f"HTTP/1.1 {status} {REASONS[status]}", f"Content-Type: {content_type}", f"Content-Length: {length}"]
    lines.extend(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def response(status, body=b"", extra=(), content_type="text/plain; charset=UTF-8"):
    return response_head(status, len(body), extra, content_type) + body


def error_response(code, message):
    return response(400, json.dumps({"code": code, "message": message}).encode(), content_type="application/json")


async def hold(reader):
    """Read and discard until the peer ends the connection: the socket is held, nothing is answered."""
    try:
        while await reader.read(65536):
            pass
    except ConnectionError:
        pass


def reset(writer):
    """TCP reset: SO_LINGER on with a zero timeout, then close."""
    sock = writer.get_extra_info("socket")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


async def trickle(reader, writer, data):
    """Write `data` one byte per DELAY; False when the peer went away first."""
    for i in range(len(data)):
        if reader.at_eof() or writer.is_closing():
            return False
        writer.write(data[i:i + 1])
        await writer.drain()
        if i + 1 < len(data):
            await asyncio.sleep(ARGS.delay)
    return True


async def write_all(writer, *chunks):
    """Write large data in slices, waiting for the peer, so memory stays bounded whatever it does."""
    for chunk in chunks:
        view = memoryview(chunk)
        for i in range(0, len(view), SLICE):
            writer.write(view[i:i + SLICE])
            await writer.drain()
            await asyncio.sleep(0)


# ---------------------------------------------------------------- WebSocket frames

def mask_bytes(payload, mask):
    n = len(payload)
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


def frame_header(opcode, length, fin=True, mask=None):
    first = (0x80 if fin else 0) | opcode
    bit = 0x80 if mask else 0
    if length < 126:
        head = struct.pack("!BB", first, bit | length)
    elif length < 65536:
        head = struct.pack("!BBH", first, bit | 126, length)
    else:
        head = struct.pack("!BBQ", first, bit | 127, length)
    return head + (mask or b"")


def frame(opcode, payload, fin=True, mask=None):
    if mask:
        payload = mask_bytes(payload, mask)
    return frame_header(opcode, len(payload), fin, mask) + payload


async def read_frame(reader):
    b0, b1 = await reader.readexactly(2)
    length = b1 & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    mask = await reader.readexactly(4) if b1 & 0x80 else None
    payload = await reader.readexactly(length)
    if mask:
        payload = mask_bytes(payload, mask)
    return bool(b0 & 0x80), b0 & 0x0F, payload


async def read_message(reader, writer):
    """(opcode, data) of the next data message or close frame; pings are answered, pongs dropped.

    Raises IncompleteReadError / ConnectionError when the connection ends."""
    opcode, parts = None, []
    while True:
        fin, op, payload = await read_frame(reader)
        if op == OP_PING:
            writer.write(frame(OP_PONG, payload))
            continue
        if op == OP_PONG:
            continue
        if op == OP_CLOSE:
            return op, payload
        if op != OP_CONT:
            opcode, parts = op, []
        parts.append(payload)
        if fin:
            return opcode, b"".join(parts)


# ---------------------------------------------------------------- sessions

class Session:
    def __init__(self):
        self.sid = base64.urlsafe_b64encode(os.urandom(15)).decode()
        self.queue = []             # packets waiting for a GET: str (text packet) or bytes (binary message)
        self.event = asyncio.Event()
        self.pong = asyncio.Event()
        self.done = asyncio.Event()
        self.ws = None              # the StreamWriter once on WebSocket
        self.ws_busy = False        # a long hostile write is in progress: no ping may interleave
        self.polling_busy = False
        self.closed = False
        self.heartbeat = None
        self.last_seen = time.monotonic()
        SESSIONS[self.sid] = self

    def send(self, packet):
        if self.closed:
            return
        if self.ws is None:
            self.queue.append(packet)
            self.event.set()
        elif self.ws.is_closing():
            self.close()
        elif isinstance(packet, str):
            self.ws.write(frame(OP_TEXT, packet.encode()))
        else:
            self.ws.write(frame(OP_BINARY, packet))

    def close(self):
        if self.closed:
            return
        self.closed = True
        SESSIONS.pop(self.sid, None)
        self.event.set()
        self.done.set()
        if self.ws is not None and not self.ws.is_closing():
            self.ws.write(frame(OP_CLOSE, struct.pack("!H", 1000)))
            self.ws.close()
        log(f"session {self.sid} closed")

    def start_heartbeat(self):
        if self.heartbeat is None and MODE not in NO_PINGS:
            self.heartbeat = asyncio.ensure_future(heartbeat(self))


async def heartbeat(s):
    idle_limit = max(60.0, 3 * (PING_INTERVAL + PING_TIMEOUT) / 1000)
    while not s.closed:
        await asyncio.sleep(PING_INTERVAL / 1000)
        if s.closed:
            return
        if s.ws is None and not s.polling_busy and time.monotonic() - s.last_seen > idle_limit:
            s.close()               # a polling client that went away
            return
        if s.ws is not None and s.ws.is_closing():
            s.close()
            return
        if s.ws_busy:
            continue
        s.pong.clear()
        s.send("2")
        if MODE not in NO_PONG_CHECK:
            try:
                await asyncio.wait_for(s.pong.wait(), PING_TIMEOUT / 1000)
            except asyncio.TimeoutError:
                log(f"session {s.sid}: ping timeout")
                s.close()
                return


def on_packet(s, packet):
    """A packet from the client: str (text packet) or bytes (binary message)."""
    if isinstance(packet, bytes):
        s.send(packet)
        return
    kind = packet[:1]
    if kind == "4":
        s.send(packet)
    elif kind == "b":
        try:
            s.send(base64.b64decode(packet[1:]))
        except ValueError:
            pass
    elif kind == "3":
        s.pong.set()
    elif kind == "2":
        s.send("3" + packet[1:])
    elif kind == "1":
        s.close()


def open_fields(s):
    upgrades = [] if MODE == "post-blackhole" else ["websocket"]
    return {"sid": s.sid, "upgrades": upgrades, "pingInterval": PING_INTERVAL, "pingTimeout": PING_TIMEOUT,
            "maxPayload": ARGS.max_payload}


def open_packet(s):
    return b"0" + json.dumps(open_fields(s), separators=(",", ":")).encode()


def big_open_parts(s):
    """The 50 MB open packet as (prefix, padding, suffix), so the padding is shared, not copied."""
    prefix = b"0" + json.dumps(open_fields(s), separators=(",", ":")).encode()[:-1] + b',"pad":"'
    return prefix, BIG_PAD, b'"}'


def encode_payload(packets):
    return "\x1e".join(p if isinstance(p, str) else "b" + base64.b64encode(p).decode() for p in packets).encode()


# ---------------------------------------------------------------- polling

async def polling_handshake(reader, writer):
    s = Session()
    log(f"polling handshake {s.sid}")
    if MODE == "polling-trickle":
        if not await trickle(reader, writer, response(200, open_packet(s))):
            s.close()
            return False
    elif MODE == "chunked-endless":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        start = big_open_parts(s)[0]
        writer.write(b"%x\r\n%s\r\n" % (len(start), start))
        chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
        while not reader.at_eof() and not writer.is_closing():
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0)
        s.close()
        return False
    elif MODE == "gzip-bomb":
        await write_all(writer, response_head(200, len(GZIP_BOMB), ["Content-Encoding: gzip"]), GZIP_BOMB)
    elif MODE == "big-open":
        parts = big_open_parts(s)
        await write_all(writer, response_head(200, sum(len(p) for p in parts)), *parts)
    else:
        writer.write(response(200, open_packet(s)))
        await writer.drain()
    if MODE == "ws-big-message":
        s.queue.append(BIG_MESSAGE)
    s.start_heartbeat()
    return True


async def polling_get(s, writer):
    if s.polling_busy:
        writer.write(error_response(3, "Bad request"))
        return True
    s.polling_busy = True
    try:
        while not s.queue and not s.closed:
            s.event.clear()
            await s.event.wait()
    finally:
        s.polling_busy = False
    s.last_seen = time.monotonic()
    packets, s.queue = s.queue[:MAX_PACKETS_PER_POLL], s.queue[MAX_PACKETS_PER_POLL:]
    body = encode_payload(packets) if packets else b"1"
    await write_all(writer, response(200, body))
    return True


async def polling_post(s, req, writer):
    try:
        text = req.body.decode("utf-8")
    except UnicodeDecodeError:
        writer.write(error_response(3, "Bad request"))
        return True
    for packet in text.split("\x1e"):
        if packet:
            on_packet(s, packet)
    writer.write(response(200, b"ok"))
    await writer.drain()
    return True


# ---------------------------------------------------------------- WebSocket

async def hostile_send(writer):
    if MODE == "ws-fragments":
        size = len(FRAGMENT)
        writer.write(frame_header(OP_TEXT, size, fin=False) + b"4" + FRAGMENT[1:])
        await writer.drain()
        for i in range(1, 500):
            writer.write(frame_header(OP_CONT, size, fin=(i == 499)))
            await write_all(writer, FRAGMENT)
    elif MODE == "ws-big-message":
        data = BIG_MESSAGE.encode()
        await write_all(writer, frame_header(OP_TEXT, len(data)), data)
    elif MODE == "ws-masked":
        writer.write(frame(OP_TEXT, b"4hello", mask=os.urandom(4)))
        await writer.drain()


async def watch_close(reader, writer, started):
    try:
        while True:
            op, data = await read_message(reader, writer)
            if op == OP_CLOSE:
                log(f"close frame at {time.monotonic() - started:.3f}")
                writer.write(frame(OP_CLOSE, data[:2]))
                await hold(reader)
                return
    except (asyncio.IncompleteReadError, ConnectionError):
        pass


async def echo_loop(s, reader, writer):
    while not s.closed:
        op, data = await read_message(reader, writer)
        if op == OP_CLOSE:
            writer.write(frame(OP_CLOSE, data[:2]))
            return
        if op == OP_TEXT:
            on_packet(s, data.decode("utf-8", "replace"))
        elif op == OP_BINARY:
            on_packet(s, data)


async def handle_websocket(req, reader, writer, started):
    key = req.headers.get("sec-websocket-key")
    if req.method != "GET" or not key or "websocket" not in req.headers.get("upgrade", "").lower():
        writer.write(error_response(3, "Bad request"))
        return
    sid = req.query.get("sid")
    s = None
    if sid is not None:
        s = SESSIONS.get(sid)
        if s is None or s.ws is not None:
            writer.write(error_response(1, "Session ID unknown"))
            return
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest())
    head = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    if MODE == "ws-trickle-101":
        if not await trickle(reader, writer, head):
            return
    else:
        writer.write(head)
    if MODE == "ws-no-open":
        await hold(reader)
    elif MODE == "ws-close-watch":
        try:
            await websocket_session(s, reader, writer, started)
        finally:    # whatever ended the connection, its end is reported once
            emit(f"tcp-closed {time.monotonic() - started:.3f}")
    else:
        await websocket_session(s, reader, writer, started)


async def websocket_session(s, reader, writer, started):
    """After the 101: the open packet (s is None) or the upgrade probe, then the mode's behaviour."""
    send_first = (lambda data: trickle(reader, writer, data)) if MODE == "ws-trickle-open" else \
        (lambda data: write_all(writer, data))
    try:
        if s is None:
            s = Session()
            log(f"websocket open {s.sid}")
            if MODE == "big-open":
                parts = big_open_parts(s)
                await write_all(writer, frame_header(OP_TEXT, sum(len(p) for p in parts)), *parts)
            elif await send_first(frame(OP_TEXT, open_packet(s))) is False:
                return
            s.ws = writer
        else:
            if await read_message(reader, writer) != (OP_TEXT, b"2probe"):
                return
            if await send_first(frame(OP_TEXT, b"3probe")) is False:
                return
            s.send("6")                                 # the parked GET returns, the client pauses polling
            if await read_message(reader, writer) != (OP_TEXT, b"5"):
                return
            log(f"websocket upgrade {s.sid}")
            s.ws = writer
            pending, s.queue = s.queue, []
            for packet in pending:
                s.send(packet)
        if MODE == "die-after-open":
            await hold(reader)
        elif MODE == "ws-no-read":
            writer.transport.pause_reading()
            s.start_heartbeat()
            await s.done.wait()
        elif MODE == "ws-close-watch":
            await watch_close(reader, writer, started)
        else:
            s.ws_busy = True
            try:
                await hostile_send(writer)
            finally:
                s.ws_busy = False
            s.start_heartbeat()
            await echo_loop(s, reader, writer)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        if s is not None:
            s.close()


# ---------------------------------------------------------------- dispatch

def redirect_location(req, hop):
    pairs = [(k, v) for k, v in req.pairs if k != "hop"] + [("hop", str(hop))]
    return f"http://{ARGS.host}:{PORT}{req.path}?{urlencode(pairs)}"


async def dispatch(req, reader, writer, started):
    """Serve one request; True to keep reading requests on this connection."""
    if MODE == "reset":
        reset(writer)
        return False
    if MODE == "close":
        return False
    if MODE == "polling-silent":
        await hold(reader)
        return False
    sid = req.query.get("sid")
    if MODE.startswith("redirect-") and req.method == "GET" and sid is None:
        try:
            hop = int(req.query.get("hop") or 0)
        except ValueError:
            hop = 0
        if MODE == "redirect-loop" or hop < 1:
            code = 302 if MODE == "redirect-loop" else int(MODE.split("-")[1])
            location = redirect_location(req, hop + 1)
            log(f"redirect {code} -> {location}")
            writer.write(response(code, b"", [f"Location: {location}"]))
            await writer.drain()
            return True
    if req.query.get("EIO") != "4":
        writer.write(error_response(5, "Unsupported protocol version"))
        return True
    transport = req.query.get("transport")
    if sid is not None and MODE == "die-after-open":
        await hold(reader)
        return False
    if transport == "websocket":
        if MODE == "ws-reset":
            reset(writer)
            return False
        await handle_websocket(req, reader, writer, started)
        return False
    if transport != "polling":
        writer.write(error_response(0, "Transport unknown"))
        return True
    if sid is None:
        if req.method != "GET":
            writer.write(error_response(2, "Bad handshake method"))
            return True
        return await polling_handshake(reader, writer)
    s = SESSIONS.get(sid)
    if s is None or s.ws is not None:
        writer.write(error_response(1, "Session ID unknown"))
        return True
    s.last_seen = time.monotonic()
    if req.method == "GET":
        return await polling_get(s, writer)
    if req.method == "POST":
        if MODE == "post-blackhole":
            await hold(reader)
            return False
        return await polling_post(s, req, writer)
    writer.write(error_response(3, "Bad request"))
    return True


async def handle_connection(reader, writer):
    started = time.monotonic()
    try:
        while True:
            req = await read_request(reader)
            if req is None:
                break
            log(f"{req.method} {req.path} {dict(req.pairs)}")
            if not await dispatch(req, reader, writer, started) or req.wants_close:
                break
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, OSError):
        pass
    except Exception as error:  # noqa: BLE001 - one bad connection must not stop the server
        log(f"connection error: {error!r}")
    finally:
        if not writer.is_closing():
            writer.close()


async def serve():
    global PORT
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: log(f"asyncio: {context.get('message')}"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    rcvbuf = ARGS.rcvbuf if ARGS.rcvbuf is not None else (65536 if MODE == "ws-no-read" else 0)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)   # inherited by accepted sockets
    sock.bind((ARGS.host, ARGS.port))
    sock.setblocking(False)
    server = await asyncio.start_server(handle_connection, sock=sock, limit=1 << 20, backlog=4096)
    PORT = sock.getsockname()[1]
    emit(f"ready {PORT}")
    async with server:
        await server.serve_forever()


def main():
    global ARGS, MODE, PING_INTERVAL, PING_TIMEOUT, GZIP_BOMB, BIG_PAD, BIG_MESSAGE, FRAGMENT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=MODES, metavar="MODE")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds per byte in the trickle modes")
    parser.add_argument("--ping-interval", type=int, help="milliseconds, in the open packet and the heartbeat")
    parser.add_argument("--ping-timeout", type=int, help="milliseconds, in the open packet and the heartbeat")
    parser.add_argument("--max-payload", type=int, default=1000000)
    parser.add_argument("--rcvbuf", type=int, help="SO_RCVBUF for accepted sockets (ws-no-read: 65536)")
    parser.add_argument("--verbose", action="store_true", help="log to stderr")
    ARGS = parser.parse_args()
    MODE = ARGS.mode
    PING_INTERVAL, PING_TIMEOUT = (1000, 1000) if MODE in FAST_HEARTBEAT else (25000, 20000)
    if ARGS.ping_interval is not None:
        PING_INTERVAL = ARGS.ping_interval
    if ARGS.ping_timeout is not None:
        PING_TIMEOUT = ARGS.ping_timeout
    if not ARGS.verbose:
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if MODE == "gzip-bomb":
        GZIP_BOMB = build_gzip_bomb()
    elif MODE == "big-open":
        BIG_PAD = b"x" * 50_000_000
    elif MODE == "ws-big-message":
        BIG_MESSAGE = "4" + "x" * (5_000_000 - 1)
    elif MODE == "ws-fragments":
        FRAGMENT = b"x" * (1 << 20)
    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
