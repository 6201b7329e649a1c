"""Three `eio serve` processes behind a real HAProxy or nginx, configured from the committed templates in deploy/.

usage: proxy_check.py --eio PATH --proxy haproxy|nginx [--json] [--deploy-dir DIR]

Runs with the interop virtualenv's python (scripts/setup --interop: python-engineio, aiohttp, requests,
websocket-client; and haproxy, nginx, openssl).

What it does:
  1. starts 3 `eio serve --echo --log` backends on free ports (pingInterval 1 s, pingTimeout 1 s, so a dead peer is
     noticed fast; --trusted-proxies 127.0.0.1; --metrics; --drain-timeout 2), checks each one's GET /healthz and
     GET /metrics;
  2. renders deploy/haproxy/haproxy.cfg or deploy/nginx/engineio.conf into a temp dir exactly as deploy/README.md's
     sed line does (placeholders only), with a self-signed certificate made by `openssl`, checks it (`haproxy -c`,
     `nginx -t`) and runs the proxy in the foreground on free high ports (never 80/443);
  3. checks X-Forwarded-For: a handshake from 127.0.0.2 that claims `X-Forwarded-For: 6.6.6.6` reaches the backend
     as 127.0.0.2 (the proxy replaced the header and the backend trusts the proxy);
  4. echo checks for python's `engineio.Client`, `engineio.AsyncClient` and our `eio connect`, each over polling only,
     WebSocket only, and polling + upgrade: a text message, a binary message (`eio connect` with
     `--binary-lines`), a 1 MB text message and a burst of 200 messages that must come back in order; plus TLS at the proxy
     (AsyncClient and `eio connect --insecure`);
  5. the kill test: 6 python WebSocket clients (3 Client, 3 AsyncClient) and 3 `eio connect --reconnect
     --transports websocket` spread over the backends, SIGKILL of one backend that holds clients of both kinds, then:
     every python client of the killed backend gets its disconnect callback within pingInterval + pingTimeout + 1 s;
     every `eio connect --reconnect` among them says `reconnecting (attempt 1)` (printed as the first attempt starts,
     after the first backoff of at most reconnectionDelay 1 s x 1.5) within that bound + 1.5 s, says
     `reconnected (attempt N)` within reconnectionDelayMax (5 s) + pingInterval + pingTimeout + 2 s, and echoes
     again; clients of the other backends never disconnect and still echo; new sessions still open through the
     proxy. In the figures, disconnect_seconds of an `eio connect` client is the time of its first `reconnecting`;
  6. the drain test, on the two backends left: fresh `eio connect --reconnect --transports websocket` clients on both,
     SIGTERM to one of them (B, started with --drain-timeout 2), then: B's GET /healthz turns 503 `draining` at once
     (asked directly), and HAProxy's health check marks B DOWN (the template checks every 2 s and needs two failures,
     so with a 2 s drain B has usually exited first and the reason is the refused connection, not the 503: the
     figures say which); a handshake sent directly to B gets 503
     {"code":6,"message":"Server is draining"}; B's clients still echo during the drain; at the drain timeout they
     say `disconnected (server disconnect)`, then `reconnecting (attempt 1)` and `reconnected (attempt N)`, and echo
     again through the proxy, from the other backend; B exits with status 0 within the drain timeout + 6 s; the
     other backend's clients never notice. The proxy does not retry a 503 (HAProxy's redispatch and nginx's
     next-upstream only act on connection failures), so a reconnection the proxy sends to B while it still drains
     gets 503 and the client backs off and tries again: the figures (`drain`) say how long it took, in how many
     attempts, and how many 503s the proxy passed on; they also record (no check) what 4 new handshakes sent
     through the proxy just after the SIGTERM got (HAProxy: round robin, B still UP; nginx: from B's ip_hash address).

Stickiness (see deploy/README.md):
  - HAProxy's main listener pins a session by its SERVERID cookie. python's clients connect by the host name
    `localhost`, not 127.0.0.1, because aiohttp's cookie jar (AsyncClient) ignores cookies from IP-address hosts;
    requests (Client) keeps them either way. Our client (`eio connect`) keeps a host-only cookie jar that does not
    care whether the host is an IP address, so its echo checks use the cookie listener by 127.0.0.1; for its polling
    and polling+upgrade sessions the proxy's log (its cookie flags) must show the SERVERID cookie on every request
    after the handshake. The template's stick-on-source listener (@SOURCE_PORT@) is checked with `eio connect` and
    with AsyncClient by 127.0.0.1 (the README's advice for cookie-less clients). WebSocket-only clients need no
    stickiness: in the kill and drain tests every client uses the cookie listener, whose round robin spreads them
    over the backends.
  - nginx pins by client address (ip_hash over the first three octets), so every client on 127.0.0.1 lands on one
    backend. For the kill test the clients reach nginx through small TCP forwarders bound to source addresses
    127.0.K.1 chosen so that each backend gets some (loopback is all of 127/8 on Linux).

Which backend holds which session: the backends run with --log, whose `connect SID from ADDR` lines name the session
and the client's address (from X-Forwarded-For). python clients know their sid; `eio connect` clients are started one
at a time and take the one new session that appears.

Output: one line per check and a summary on stdout; with --json, then one JSON object (the figures) as the last line.
Progress goes to stderr. Exit 0 when every check passed, 1 when one failed, 2 on a usage or setup error, 77 when the
proxy (or openssl) is not installed.
"""
import argparse
import asyncio
import base64
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

START = time.monotonic()
PING_INTERVAL = 1.0
PING_TIMEOUT = 1.0
# A killed backend's clients must see their session end within this (in practice the proxy closes their
# connection at once, because the kernel closes the dead process's sockets).
DISCONNECT_BOUND = PING_INTERVAL + PING_TIMEOUT + 1.0
# The Swift client's reconnection defaults: delay 1 s, delayMax 5 s, randomization 0.5. The first attempt after a
# loss waits at most delay * 1.5.
FIRST_BACKOFF_MAX = 1.5
RECONNECT_DELAY_MAX = 5.0
RECONNECT_BOUND = RECONNECT_DELAY_MAX + PING_INTERVAL + PING_TIMEOUT + 2.0
STEP_TIMEOUT = 30.0
KILL_PYTHON_CLIENTS = 6
KILL_EIO_CLIENTS = 3
# The drain test: `eio serve --drain-timeout`; B must exit within DRAIN_TIMEOUT + DRAIN_EXIT_SLACK of its SIGTERM.
DRAIN_TIMEOUT = 2.0
DRAIN_EXIT_SLACK = 6.0
DRAIN_CLIENTS_PER_BACKEND = 2
# A drained client's `disconnected` line: at the drain timeout, give or take this.
DRAIN_DISCONNECT_EARLY, DRAIN_DISCONNECT_LATE = 0.25, 1.5
# Its `reconnected` line: the proxy may send attempts to B until B is gone (503, then backoff), so allow B's exit
# bound plus a full reconnection bound.
DRAIN_RECONNECT_BOUND = DRAIN_TIMEOUT + DRAIN_EXIT_SLACK + RECONNECT_BOUND
DRAINING_BODY = {"code": 6, "message": "Server is draining"}


def log(message):
    sys.stderr.write(f"[{time.monotonic() - START:6.2f}s] {message}\n")
    sys.stderr.flush()


class SetupError(Exception):
    pass


class Report:
    """Every check's outcome, and the figures for --json."""

    def __init__(self):
        self.checks = []
        self.figures = {}
        self.lock = threading.Lock()

    def check(self, name, ok, detail=""):
        """ok: True, False, or None (not applicable: reported, neither passed nor failed)."""
        with self.lock:
            self.checks.append({"name": name, "ok": ok, "detail": detail})
        word = "PASS" if ok else ("n/a " if ok is None else "FAIL")
        log(f"{word} {name}" + (f" ({detail})" if detail else ""))
        return bool(ok)

    @property
    def failed(self):
        return [c for c in self.checks if c["ok"] is False]

    @property
    def passed(self):
        return [c for c in self.checks if c["ok"] is True]


# ---- processes -------------------------------------------------------------------------------------------------

class Child:
    """A child process in a process group of its own; its output lines are collected (with arrival times) by
    threads, or go to a file."""

    def __init__(self, name, argv, stdin=False, collect=True, output_file=None, env=None):
        self.name = name
        self.argv = argv
        self.lines = []          # (monotonic time, line) from stdout
        self.error_lines = []    # (monotonic time, line) from stderr
        self.cond = threading.Condition()
        self.output_file = output_file
        out = subprocess.PIPE if collect else (open(output_file, "wb") if output_file else subprocess.DEVNULL)
        err = subprocess.PIPE if collect else subprocess.STDOUT
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=out, stderr=err,
            start_new_session=True, env=env)
        if not collect and output_file:
            out.close()
        self.readers = []
        if collect:
            for stream, target in ((self.process.stdout, self.lines), (self.process.stderr, self.error_lines)):
                thread = threading.Thread(target=self._read, args=(stream, target), daemon=True)
                thread.start()
                self.readers.append(thread)

    def _read(self, stream, target):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            now = time.monotonic()
            self.on_line(target is self.lines, line, now)
            with self.cond:
                target.append((now, line))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def on_line(self, is_stdout, line, now):
        pass

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def wait_for(self, predicate, timeout):
        """Waits until predicate() (called under the lock) is true, or the timeout passes."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return value
                self.cond.wait(min(remaining, 0.2))

    def find_line(self, pattern, stderr=False, start=0):
        """(time, match) of the first line from index `start` matching pattern, or None. Call under the lock."""
        for when, line in (self.error_lines if stderr else self.lines)[start:]:
            match = re.search(pattern, line)
            if match:
                return when, match
        return None

    def write_line(self, text):
        self.process.stdin.write((text + "\n").encode())
        self.process.stdin.flush()

    def tail(self, count=15):
        with self.cond:
            lines = [line for _, line in self.lines[-count:]] + [line for _, line in self.error_lines[-count:]]
        if not lines and self.output_file and os.path.exists(self.output_file):
            with open(self.output_file, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()[-count:]
        return "\n".join(line[:300] for line in lines)

    def kill(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin,):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass


class Sessions:
    """Which backend opened which session, from the backends' `connect SID from ADDR` lines."""

    def __init__(self):
        self.cond = threading.Condition()
        self.connects = []   # (time, backend index, sid, address)
        self.backend_of = {}
        self.address_of = {}
        self.disconnects = {}
        self.messages = {}   # short message text -> (time, backend index, sid), from `message from SID: TEXT`

    def add(self, backend, line, now):
        match = re.match(r"connect (\S+) from (\S*)", line)
        if match:
            with self.cond:
                sid, address = match.group(1), match.group(2)
                self.connects.append((now, backend, sid, address))
                self.backend_of[sid] = backend
                self.address_of[sid] = address
                self.cond.notify_all()
            return
        match = re.match(r"message from (\S+): (.*)", line)
        if match:
            if len(line) < 300:
                with self.cond:
                    self.messages[match.group(2)] = (now, backend, match.group(1))
                    self.cond.notify_all()
            return
        match = re.match(r"disconnect (\S+): (.*)", line)
        if match:
            with self.cond:
                self.disconnects[match.group(1)] = (now, backend, match.group(2))
                self.cond.notify_all()

    def _wait(self, ready, timeout):
        """Waits (holding the condition) until `ready()` or the timeout; the caller reads the state under the lock."""
        deadline = time.monotonic() + timeout
        while not ready() and time.monotonic() < deadline:
            self.cond.wait(0.1)

    def wait_sid(self, sid, timeout=10.0):
        with self.cond:
            self._wait(lambda: sid in self.backend_of, timeout)
            return self.backend_of.get(sid)

    def count(self):
        with self.cond:
            return len(self.connects)

    def wait_new(self, start, timeout=10.0):
        """The connects after index `start`, once there is at least one (and no second one arrived 0.2 s later)."""
        with self.cond:
            self._wait(lambda: len(self.connects) > start, timeout)
        time.sleep(0.2)
        with self.cond:
            return list(self.connects[start:])

    def wait_message(self, text, timeout=5.0):
        """(time, backend index, sid) of the backend that logged message `text`, or None."""
        with self.cond:
            self._wait(lambda: text in self.messages, timeout)
            return self.messages.get(text)


class Backend(Child):
    def __init__(self, index, eio, sessions, extra):
        self.index = index
        self.sessions = sessions
        self.port = None
        argv = [eio, "serve", "--host", "127.0.0.1", "--port", "0", "--echo", "--log", "--max-payload", "4000000",
                "--ping-interval", str(PING_INTERVAL), "--ping-timeout", str(PING_TIMEOUT)] + extra
        super().__init__(f"backend{index}", argv)

    def on_line(self, is_stdout, line, now):
        # --log writes these on stderr (stdout has the "serving on" line); either will do.
        if line.startswith(("connect ", "disconnect ", "message from ")):
            self.sessions.add(self.index, line, now)

    def wait_serving(self, timeout=30.0):
        found = self.wait_for(lambda: self.find_line(r"serving on https?://[^ ]*:(\d+)/") or not self.alive(), timeout)
        if not found or found is True:
            raise SetupError(f"backend {self.index} did not say 'serving on' within {timeout} s:\n{self.tail()}")
        self.port = int(found[1].group(1))
        return self.port


def free_ports(count):
    """Ports free on every address at once (the proxies bind 0.0.0.0)."""
    holders = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("", 0))
            holders.append(s)
        return [s.getsockname()[1] for s in holders]
    finally:
        for s in holders:
            s.close()


def http_get(port, path, host="127.0.0.1", tls=False, source=None, headers=None, timeout=5.0):
    """(status, body text) of one GET, or (None, error text)."""
    try:
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout,
                                                    source_address=(source, 0) if source else None)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as error:
        return None, str(error)


def handshake(port, **kwargs):
    """The sid of a polling handshake through `port`, or None."""
    status, body = http_get(port, "/engine.io/?EIO=4&transport=polling", **kwargs)
    if status == 200 and body.startswith("0{"):
        try:
            return json.loads(body[1:])["sid"]
        except (ValueError, KeyError):
            return None
    return None


def wait_until(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def metrics_sessions(port):
    """The sum of the `engineio_sessions` gauge (every transport) of a backend, or None."""
    status, body = http_get(port, "/metrics", timeout=3)
    if status != 200:
        return None
    total = 0
    for line in body.splitlines():
        match = re.match(r"engineio_sessions(\{[^}]*\})?\s+([0-9.eE+-]+)$", line)
        if match:
            total += int(float(match.group(2)))
    return total


class Forwarder:
    """A TCP forwarder on 127.0.0.1 whose connections reach `target_port` from the source address `source`, so
    nginx's ip_hash sees that address. Either side closing closes both."""

    def __init__(self, target_port, source):
        self.target_port = target_port
        self.source = source
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5,
                                                    source_address=(self.source, 0))
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pump(a, b):
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for s in readable:
                    data = s.recv(262144)
                    if not data:
                        raise EOFError
                    (b if s is a else a).sendall(data)
        except (OSError, EOFError):
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self):
        self.closed = True
        for s in [self.listener] + self.sockets:
            try:
                s.close()
            except OSError:
                pass


# ---- python clients ----------------------------------------------------------------------------------------------

try:
    import engineio
    ClientBase = engineio.Client
except ImportError:  # reported by main(), after the check for the proxy (exit 77 wins over a missing venv)
    engineio = None
    ClientBase = object


class InlineClient(ClientBase):
    """python's sync Client starts a thread for every message handler (`_receive_packet` calls `_trigger_event`
    with run_async=True), so two messages can reach the handler in either order whatever the server did. The checks
    are about the order on the wire, so this client runs message handlers inline, on its read loop (as
    Tests/Interop/python_client.py does)."""

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class AsyncLoop:
    """One asyncio loop on a thread of its own for every AsyncClient."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def run(self, coroutine, timeout=STEP_TIMEOUT):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)


class PyClient:
    """python-engineio's Client ("sync") or AsyncClient ("async"), recording what it receives and when it
    disconnects."""

    def __init__(self, kind, name, loop, ssl_verify=True):
        self.kind, self.name, self.loop = kind, name, loop
        self.received = []
        self.cond = threading.Condition()
        self.disconnected_at = None
        self.disconnect_reason = None
        if kind == "sync":
            self.client = InlineClient(request_timeout=10, ssl_verify=ssl_verify, handle_sigint=False)

            def on_message(data):
                self._received(data)

            def on_disconnect(reason=None):
                self._disconnected(reason)
        else:
            self.client = engineio.AsyncClient(request_timeout=10, ssl_verify=ssl_verify, handle_sigint=False)

            # Coroutine handlers run as tasks in the order the messages arrived.
            async def on_message(data):
                self._received(data)

            async def on_disconnect(reason=None):
                self._disconnected(reason)
        self.client.on("message", on_message)
        self.client.on("disconnect", on_disconnect)

    def _received(self, data):
        with self.cond:
            self.received.append(data)
            self.cond.notify_all()

    def _disconnected(self, reason):
        with self.cond:
            if self.disconnected_at is None:
                self.disconnected_at = time.monotonic()
                self.disconnect_reason = str(reason)
            self.cond.notify_all()

    def connect(self, url, transports):
        if self.kind == "sync":
            self.client.connect(url, transports=transports)
        else:
            self.loop.run(self.client.connect(url, transports=transports))

    @property
    def sid(self):
        return self.client.sid

    def transport(self):
        return self.client.transport()

    def send_all(self, messages):
        if self.kind == "sync":
            for message in messages:
                self.client.send(message)
        else:
            async def send():
                for message in messages:
                    await self.client.send(message)
            self.loop.run(send())

    def exchange(self, messages, timeout=STEP_TIMEOUT):
        """Sends messages and returns what came back (once as many arrived, or at the timeout)."""
        with self.cond:
            start = len(self.received)
        self.send_all(messages)
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.received) < start + len(messages) and time.monotonic() < deadline:
                if self.disconnected_at is not None:
                    break
                self.cond.wait(0.2)
            return list(self.received[start:])

    def disconnect(self):
        try:
            if self.kind == "sync":
                if self.client.state == "connected":
                    self.client.disconnect()
            else:
                async def close():
                    if self.client.state == "connected":
                        await self.client.disconnect()
                    if self.client.http is not None and not self.client.http.closed:
                        await self.client.http.close()
                self.loop.run(close(), timeout=10)
        except Exception as error:  # noqa: BLE001 (cleanup: whatever happens, go on)
            log(f"{self.name}: disconnect: {error!r}")


class EioConnect(Child):
    """`eio connect URL ...`: lines in, echoed lines out."""

    def __init__(self, eio, name, url, flags):
        super().__init__(name, [eio, "connect", url] + flags, stdin=True)

    def exchange(self, lines, timeout=STEP_TIMEOUT):
        with self.cond:
            start = len(self.lines)
        for line in lines:
            self.write_line(line)
        self.wait_for(lambda: len(self.lines) >= start + len(lines) or not self.alive(), timeout)
        with self.cond:
            return [line for _, line in self.lines[start:]]


def describe(value):
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:30] + f"…({len(text)} chars)")


def compare(got, expected):
    """'' when equal, else where they differ."""
    if got == expected:
        return ""
    for i, (a, b) in enumerate(zip(got, expected)):
        if a != b:
            return f"first difference at {i}: got {describe(a)}, expected {describe(b)}"
    return f"got {len(got)} of {len(expected)} messages"


TEXT = "hello through the proxy: héllo wörld ☃ 😀"
BINARY = bytes(range(256)) * 4
BIG = ("0123456789abcdef" * 62_500)  # 1,000,000 characters
BURST = [f"burst-{i}" for i in range(200)]


# ---- the harness -------------------------------------------------------------------------------------------------

class Harness:
    def __init__(self, args, report):
        self.args = args
        self.report = report
        self.eio = os.path.abspath(args.eio)
        self.proxy = args.proxy
        self.deploy = args.deploy_dir
        self.tmp = tempfile.mkdtemp(prefix=f"proxy-check-{args.proxy}-")
        self.children = []
        self.clients = []
        self.forwarders = []
        self.sessions = Sessions()
        self.backends = []
        self.proxy_process = None
        self.loop = AsyncLoop()
        self.messages_checked = 0
        self.features = {}

    # -- setup --

    def detect_features(self):
        serve_help = subprocess.run([self.eio, "serve", "--help"], capture_output=True, text=True, timeout=30)
        connect_help = subprocess.run([self.eio, "connect", "--help"], capture_output=True, text=True, timeout=30)
        serve_text, connect_text = serve_help.stdout + serve_help.stderr, connect_help.stdout + connect_help.stderr
        if "--ping-interval" not in serve_text:
            raise SetupError(f"{self.eio} serve --help does not look like eio's: {serve_text[:300]}")
        self.features = {flag: flag in serve_text for flag in ("--trusted-proxies", "--metrics", "--drain-timeout")}
        self.features["connect --reconnect"] = "--reconnect" in connect_text
        self.features["connect --binary-lines"] = "--binary-lines" in connect_text
        for flag in ("--trusted-proxies", "--metrics", "--drain-timeout"):
            self.report.check(f"eio serve has {flag}", self.features[flag])
        self.report.check("eio connect has --reconnect", self.features["connect --reconnect"])

    def start_backends(self):
        extra = []
        if self.features["--trusted-proxies"]:
            extra += ["--trusted-proxies", "127.0.0.1"]
        if self.features["--metrics"]:
            extra += ["--metrics"]
        if self.features["--drain-timeout"]:
            extra += ["--drain-timeout", f"{DRAIN_TIMEOUT:g}"]
        for index in (1, 2, 3):
            backend = Backend(index, self.eio, self.sessions, extra)
            self.children.append(backend)
            self.backends.append(backend)
        for backend in self.backends:
            backend.wait_serving()
            log(f"backend {backend.index}: pid {backend.pid}, port {backend.port}")
        for backend in self.backends:
            status, body = http_get(backend.port, "/healthz")
            self.report.check(f"backend {backend.index}: GET /healthz answers 200 ok", status == 200 and body.strip() == "ok",
                              f"{status} {body.strip()[:60]!r}")
            if self.features["--metrics"]:
                self.report.check(f"backend {backend.index}: GET /metrics has engineio_sessions",
                                  metrics_sessions(backend.port) is not None)

    def render(self):
        """The template with its placeholders replaced (what deploy/README.md's sed line does), nothing else."""
        cert, key = os.path.join(self.tmp, "cert.pem"), os.path.join(self.tmp, "key.pem")
        made = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            capture_output=True, text=True, timeout=60)
        if made.returncode != 0:
            raise SetupError(f"openssl failed: {made.stderr[-500:]}")
        self.http_port, self.tls_port, self.source_port = free_ports(3)
        values = {f"@BACKEND{b.index}@": f"127.0.0.1:{b.port}" for b in self.backends}
        values.update({"@HTTP_PORT@": str(self.http_port), "@TLS_PORT@": str(self.tls_port)})
        if self.proxy == "haproxy":
            pem = os.path.join(self.tmp, "engineio.pem")
            with open(pem, "w") as out:
                out.write(open(cert).read() + open(key).read())
            values.update({"@SOURCE_PORT@": str(self.source_port), "@PEM@": pem})
            template = os.path.join(self.deploy, "haproxy", "haproxy.cfg")
            config = os.path.join(self.tmp, "haproxy.cfg")
        else:
            prefix = os.path.join(self.tmp, "nginx")
            os.makedirs(prefix)
            # Started as root, nginx's workers run as `nobody`: they must reach the temp-file directories.
            for path in (self.tmp, prefix):
                os.chmod(path, 0o755)
            values.update({"@PREFIX@": prefix, "@CERT@": cert, "@KEY@": key})
            template = os.path.join(self.deploy, "nginx", "engineio.conf")
            config = os.path.join(self.tmp, "engineio.conf")
        text = open(template).read()
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        left = sorted(set(re.findall(r"@[A-Z0-9_]+@", text)))
        if left:
            raise SetupError(f"placeholders left in {template}: {left}")
        with open(config, "w") as out:
            out.write(text)
        self.config = config
        if self.proxy == "haproxy":
            checked = subprocess.run(["haproxy", "-c", "-f", config], capture_output=True, text=True, timeout=30)
        else:
            checked = subprocess.run(["nginx", "-t", "-c", config], capture_output=True, text=True, timeout=30)
        output = (checked.stdout + checked.stderr).strip()
        self.report.check(f"{self.proxy} accepts the rendered template", checked.returncode == 0,
                          output.splitlines()[-1][:200] if output else "")
        if checked.returncode != 0:
            raise SetupError(f"{self.proxy} refused the rendered template:\n{output[-2000:]}")

    def start_proxy(self):
        if self.proxy == "haproxy":
            argv = ["haproxy", "-db", "-f", self.config]
        else:
            argv = ["nginx", "-c", self.config, "-g", "daemon off;"]
        self.proxy_process = Child(self.proxy, argv, collect=False, output_file=os.path.join(self.tmp, "proxy.log"))
        self.children.append(self.proxy_process)
        ok = wait_until(lambda: not self.proxy_process.alive() or handshake(self.http_port), 30, 0.2)
        if not self.proxy_process.alive() or not ok:
            raise SetupError(f"{self.proxy} did not start or relay a handshake:\n{self.proxy_process.tail()}")
        tls_up = wait_until(lambda: handshake(self.tls_port, tls=True), 10, 0.2)
        self.report.check(f"{self.proxy}: the TLS listener relays a handshake (openssl self-signed certificate)", bool(tls_up))
        if self.proxy == "haproxy":
            self.report.check("haproxy: the stick-on-source listener relays a handshake", bool(handshake(self.source_port)))
        log(f"{self.proxy}: pid {self.proxy_process.pid}, http {self.http_port}, tls {self.tls_port}"
            + (f", source {self.source_port}" if self.proxy == "haproxy" else ""))

    def proxy_log(self):
        try:
            with open(os.path.join(self.tmp, "proxy.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- checks --

    def check_forwarded_for(self):
        sid = handshake(self.http_port, source="127.0.0.2", headers={"X-Forwarded-For": "6.6.6.6"})
        if not sid:
            self.report.check("X-Forwarded-For: a handshake from 127.0.0.2 goes through", False)
            return
        backend = self.sessions.wait_sid(sid, 5)
        address = self.sessions.address_of.get(sid)
        self.report.check(
            "X-Forwarded-For: the backend sees the client's address (127.0.0.2), not the spoofed 6.6.6.6 nor the proxy's",
            bool(address) and re.match(r"^127\.0\.0\.2(\D|$)", address) is not None,
            f"backend {backend} logged 'from {address}'")

    def urls(self, client):
        """The base URL each client kind uses for the echo checks (see the module's notes on stickiness)."""
        if self.proxy == "haproxy":
            if client == "eio":
                return f"http://127.0.0.1:{self.http_port}", "cookie listener, by 127.0.0.1 (our client's cookie jar)"
            return f"http://localhost:{self.http_port}", "cookie listener, by host name localhost"
        return f"http://{'127.0.0.1' if client == 'eio' else 'localhost'}:{self.http_port}", "ip_hash"

    def echo_python(self, kind, transports, url, label, steps=("text", "binary", "1MB text", "burst of 200"), ssl_verify=True):
        client = PyClient(kind, label, self.loop, ssl_verify=ssl_verify)
        try:
            try:
                client.connect(url, transports)
            except Exception as error:  # noqa: BLE001
                self.report.check(f"{label}: connects", False, repr(error))
                return
            expected_transport = "polling" if transports == ["polling"] else "websocket"
            self.report.check(f"{label}: connects, transport {expected_transport}", client.transport() == expected_transport,
                              f"transport {client.transport()}, backend {self.sessions.wait_sid(client.sid, 5)}")
            messages = {"text": [TEXT], "binary": [BINARY], "1MB text": [BIG], "burst of 200": BURST}
            for step in steps:
                self.echo_step(client, label, step, messages[step])
            self.report.check(f"{label}: stayed connected", client.disconnected_at is None, client.disconnect_reason or "")
        finally:
            client.disconnect()

    def echo_step(self, client, label, step, messages):
        """Sends `messages` through `client` (a python client or eio connect), checks that they come back as sent and
        counts them; returns the problem, if any."""
        begun = time.monotonic()
        got = client.exchange(messages)
        problem = compare(got, messages)
        if not problem:
            self.messages_checked += len(got)
        self.report.check(f"{label}: {step} echoes" + (" in order" if step.startswith("burst") else ""),
                          not problem, problem or f"{time.monotonic() - begun:.2f} s")
        return problem

    def haproxy_requests(self, sid):
        """HAProxy's log lines of the requests that name session `sid`: (frontend, server, status, cookie flags, URL).
        The cookie flags are the last two characters of the termination state: what the request's SERVERID cookie
        was (V valid, N none, I invalid, D server down, ...) and what HAProxy did to it (N nothing, I inserted, ...)."""
        found = []
        for line in self.proxy_log().splitlines():
            match = re.match(r'^\S+ \[[^\]]+\] (\S+) \S+/(\S+) \S+ (\d+) \S+ \S+ \S+ \S\S(\S\S) \S+ \S+ "\S+ (\S+)', line)
            if match and re.search(rf"[?&]sid={re.escape(sid)}(&|$)", match.group(5)):
                found.append(match.groups())
        return found

    def check_cookie_replayed(self, sid, label):
        """HAProxy's log must show the SERVERID cookie (flag V) on every request of the session after its handshake,
        all sent to one server."""
        requests = wait_until(lambda: self.haproxy_requests(sid), 3, 0.2) or []
        flags = {}
        for _, _, _, cookie, _ in requests:
            flags[cookie] = flags.get(cookie, 0) + 1
        servers = sorted({server for _, server, _, _, _ in requests})
        self.report.figures.setdefault("eio_cookie_requests", {})[label] = {
            "requests_after_handshake": len(requests), "cookie_flags": flags, "servers": servers}
        with_cookie = sum(n for cookie, n in flags.items() if cookie.startswith("V"))
        self.report.check(f"{label}: HAProxy saw the SERVERID cookie on every request after the handshake, all to one server",
                          bool(requests) and with_cookie == len(requests) and len(servers) == 1,
                          f"{with_cookie} of {len(requests)} requests with a valid cookie (flags {flags}), servers {servers}")

    def echo_eio(self, transports, url, label, extra=(), steps=("text", "binary", "1MB text", "burst of 200"), cookie_check=False):
        if not self.features.get("connect --binary-lines"):
            if "binary" in steps:
                self.report.check(f"{label}: binary echoes", None, "this eio connect has no --binary-lines")
            steps = tuple(step for step in steps if step != "binary")
        else:
            extra = list(extra) + ["--binary-lines"]
        flags = (["--transports", ",".join(transports)] if transports else []) + ["--linger", "0.5"] + list(extra)
        before = self.sessions.count()
        child = EioConnect(self.eio, label, url, flags)
        self.children.append(child)
        sid = None
        try:
            # With --binary-lines, eio connect sends a line binary:BASE64 as a binary message and prints one the same way.
            messages = {"text": [TEXT], "binary": ["binary:" + base64.b64encode(BINARY).decode()], "1MB text": [BIG], "burst of 200": BURST}
            for step in steps:
                problem = self.echo_step(child, label, step, messages[step])
                if problem and not child.alive():
                    break
                if sid is None and cookie_check:
                    new = self.sessions.wait_new(before, 5)
                    sid = new[0][2] if len(new) == 1 else None
                    self.report.figures.setdefault("eio_sessions", {})[label] = [
                        {"backend": backend, "sid": s} for _, backend, s, _ in new]
            child.process.stdin.close()
            try:
                code = child.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                code = None
            errors = child.tail(5) if code != 0 else ""
            self.report.check(f"{label}: ends cleanly at the end of its input (exit 0)", code == 0, f"exit {code} {errors}".strip())
            if cookie_check:
                if sid is None:
                    self.report.check(f"{label}: opened exactly one session", False,
                                      f"sessions {self.report.figures.get('eio_sessions', {}).get(label)}")
                else:
                    self.check_cookie_replayed(sid, label)
        finally:
            child.kill()

    def echo_checks(self):
        transport_sets = [(["polling"], "polling"), (["websocket"], "websocket"), (["polling", "websocket"], "polling+upgrade")]
        for kind, name in (("sync", "Client"), ("async", "AsyncClient")):
            url, how = self.urls(kind)
            for transports, tname in transport_sets:
                self.echo_python(kind, transports, url, f"python {name} [{tname}] via {how}")
        url, how = self.urls("eio")
        for transports, tname in transport_sets:
            # Behind HAProxy's cookie listener, a session that polls needs the SERVERID cookie back on every request.
            self.echo_eio(transports if tname != "polling+upgrade" else None, url, f"eio connect [{tname}] via {how}",
                          cookie_check=self.proxy == "haproxy" and tname != "websocket")
        if self.proxy == "haproxy":
            # The stick-on-source listener with our client too (it needs no cookies there).
            self.echo_eio(None, f"http://127.0.0.1:{self.source_port}",
                          "eio connect [polling+upgrade] by 127.0.0.1 via the stick-on-source listener",
                          steps=("text", "burst of 200"))
            # aiohttp drops the SERVERID cookie of an IP-address host; the stick-on-source listener keeps it sticky.
            self.echo_python("async", ["polling", "websocket"], f"http://127.0.0.1:{self.source_port}",
                             "python AsyncClient [polling+upgrade] by 127.0.0.1 via the stick-on-source listener",
                             steps=("text", "burst of 200"))
        # TLS at the proxy: python over HTTPS/WSS with verification off, and eio connect --insecure (WebSocket only:
        # the TLS listener sticks by cookie on HAProxy).
        self.echo_python("async", ["polling", "websocket"], f"https://localhost:{self.tls_port}",
                         f"python AsyncClient [polling+upgrade] over TLS (https://localhost:{self.tls_port}, verify off)",
                         steps=("text", "binary", "burst of 200"), ssl_verify=False)
        self.echo_eio(["websocket"], f"https://127.0.0.1:{self.tls_port}", "eio connect --insecure [websocket] over TLS",
                      extra=["--insecure"], steps=("text", "burst of 200"))
        if self.proxy == "haproxy":
            downs = [line for line in self.proxy_log().splitlines() if " is DOWN" in line]
            self.report.check("haproxy: no backend was marked DOWN by its /healthz check", not downs, "; ".join(downs)[:300])

    # -- the kill test --

    def kill_routes(self):
        """URLs for the kill test's clients such that the proxy spreads them over all backends."""
        if self.proxy == "haproxy":
            # WebSocket-only clients need no stickiness: the cookie listener's round robin spreads them.
            return [(f"http://localhost:{self.http_port}", f"http://127.0.0.1:{self.http_port}", None)]
        # nginx: ip_hash on 127.0.K.*; find source addresses that land on each backend.
        chosen = {}
        for k in range(64):
            source = f"127.0.{k}.1"
            sid = handshake(self.http_port, source=source)
            backend = self.sessions.wait_sid(sid, 5) if sid else None
            if backend is not None and backend not in chosen:
                chosen[backend] = source
            if len(chosen) == 3:
                break
        self.report.figures["nginx_source_addresses"] = {str(b): s for b, s in sorted(chosen.items())}
        if not self.report.check("nginx: ip_hash spreads source addresses 127.0.K.1 over all 3 backends", len(chosen) == 3,
                                 ", ".join(f"{s} -> backend {b}" for b, s in sorted(chosen.items()))):
            if not chosen:
                raise SetupError("no handshake through nginx from 127.0.K.1")
        routes = []
        for backend, source in sorted(chosen.items()):
            forwarder = Forwarder(self.http_port, source)
            self.forwarders.append(forwarder)
            routes.append((f"http://localhost:{forwarder.port}", f"http://127.0.0.1:{forwarder.port}", backend))
        return routes

    def kill_test(self):
        report = self.report
        routes = self.kill_routes()
        self.routes = routes
        python_clients, eio_clients = [], []
        placement = {}
        # python clients first, one at a time, alternating kinds: round robin gives each backend one of each.
        for i in range(KILL_PYTHON_CLIENTS):
            kind = "sync" if i % 2 == 0 else "async"
            url, _, _ = routes[i % len(routes)]
            client = PyClient(kind, f"{'Client' if kind == 'sync' else 'AsyncClient'}-{i + 1}", self.loop)
            self.clients.append(client)
            try:
                client.connect(url, ["websocket"])
            except Exception as error:  # noqa: BLE001
                raise SetupError(f"kill test: {client.name} could not connect: {error!r}")
            client.backend = self.sessions.wait_sid(client.sid, 10)
            placement[client.name] = client.backend
            python_clients.append(client)
        reconnect = ["--reconnect"] if self.features["connect --reconnect"] else []
        for i in range(KILL_EIO_CLIENTS):
            _, url, _ = routes[(KILL_PYTHON_CLIENTS + i) % len(routes)]
            before = self.sessions.count()
            child = EioConnect(self.eio, f"eio-{i + 1}", url, ["--transports", "websocket", "--linger", "0.5"] + reconnect)
            self.children.append(child)
            got = child.exchange([f"hello from eio-{i + 1}"], timeout=15)
            new = self.sessions.wait_new(before, 5)
            child.backend = new[0][1] if len(new) == 1 else None
            if len(new) != 1 or got != [f"hello from eio-{i + 1}"]:
                raise SetupError(f"kill test: eio-{i + 1} did not connect and echo (got {got}, {len(new)} new sessions): {child.tail()}")
            placement[child.name] = child.backend
            eio_clients.append(child)
        per_backend = {b.index: sorted(n for n, at in placement.items() if at == b.index) for b in self.backends}
        report.figures["clients_per_backend"] = {str(b): names for b, names in per_backend.items()}
        log("kill test placement: " + "; ".join(f"backend {b}: {', '.join(n)}" for b, n in per_backend.items()))
        if self.features["--metrics"]:
            report.figures["metrics_sessions_per_backend"] = {str(b.index): metrics_sessions(b.port) for b in self.backends}
        report.check("kill test: every backend holds clients", all(per_backend.values()),
                     ", ".join(f"backend {b}: {len(n)}" for b, n in per_backend.items()))
        for client in python_clients:
            got = client.exchange([f"before the kill: {client.name}"], timeout=10)
            report.check(f"kill test: {client.name} echoes before the kill", got == [f"before the kill: {client.name}"])

        # The victim: a backend holding both kinds of client (python and eio connect), the busiest such one.
        candidates = [b for b in self.backends
                      if any(c.backend == b.index for c in eio_clients) and any(c.backend == b.index for c in python_clients)]
        if not candidates:
            report.check("kill test: some backend holds both python and eio connect clients", False, str(per_backend))
            candidates = [b for b in self.backends if per_backend[b.index]]
        victim = max(candidates, key=lambda b: len(per_backend[b.index]))
        report.figures["killed_backend"] = victim.index
        victims_py = [c for c in python_clients if c.backend == victim.index]
        victims_eio = [c for c in eio_clients if c.backend == victim.index]
        survivors_py = [c for c in python_clients if c.backend != victim.index]
        survivors_eio = [c for c in eio_clients if c.backend != victim.index]
        stderr_marks = {c.name: len(c.error_lines) for c in eio_clients}
        log(f"SIGKILL backend {victim.index} (pid {victim.pid}), holding {', '.join(per_backend[victim.index])}")
        killed_at = time.monotonic()
        os.kill(victim.pid, signal.SIGKILL)

        # Each python client of the victim: its disconnect callback.
        disconnect_times = {}
        deadline = killed_at + DISCONNECT_BOUND + 3
        for client in victims_py:
            with client.cond:
                while client.disconnected_at is None and time.monotonic() < deadline:
                    client.cond.wait(0.1)
            seconds = None if client.disconnected_at is None else round(client.disconnected_at - killed_at, 3)
            disconnect_times[client.name] = seconds
            report.check(f"kill test: {client.name} (killed backend) disconnects within {DISCONNECT_BOUND:.0f} s",
                         seconds is not None and seconds <= DISCONNECT_BOUND,
                         f"{seconds} s, reason {client.disconnect_reason}" if seconds is not None else "no disconnect")

        # Each eio connect client of the victim: `reconnecting`, then `reconnected`, then an echo.
        reconnect_times, reconnect_echo_times = {}, {}
        for child in victims_eio:
            mark = stderr_marks[child.name]
            # The first word of the loss: `reconnecting (attempt 1)`, or (without --reconnect) `the session ended`.
            lost = child.wait_for(lambda: child.find_line(r"reconnecting \(attempt \d+\)|session ended", stderr=True, start=mark)
                                  or not child.alive(), max(0.0, killed_at + DISCONNECT_BOUND + FIRST_BACKOFF_MAX + 3 - time.monotonic()))
            if lost is True:  # exited without a word
                with child.cond:
                    lost = child.find_line(r"reconnecting \(attempt \d+\)|session ended", stderr=True, start=mark)
            seconds = round(lost[0] - killed_at, 3) if lost else None
            disconnect_times[child.name] = seconds
            bound = DISCONNECT_BOUND + FIRST_BACKOFF_MAX
            report.check(f"kill test: {child.name} (killed backend) says 'reconnecting' within {bound:.1f} s",
                         seconds is not None and seconds <= bound and "reconnecting" in lost[1].group(0),
                         f"{seconds} s: {lost[1].string[:160]}" if lost else f"nothing; alive={child.alive()}; {child.tail(4)}")
            back = child.wait_for(lambda: child.find_line(r"reconnected \(attempt (\d+)\)", stderr=True, start=mark)
                                  or not child.alive(), max(0.0, killed_at + RECONNECT_BOUND + 3 - time.monotonic()))
            if back is True:
                with child.cond:
                    back = child.find_line(r"reconnected \(attempt (\d+)\)", stderr=True, start=mark)
            seconds = round(back[0] - killed_at, 3) if back else None
            reconnect_times[child.name] = seconds
            report.check(f"kill test: {child.name} says 'reconnected' within {RECONNECT_BOUND:.0f} s of the kill",
                         seconds is not None and seconds <= RECONNECT_BOUND,
                         f"{seconds} s, {back[1].group(0)}" if back else f"nothing; alive={child.alive()}; {child.tail(4)}")
            if back and child.alive():
                got = child.exchange([f"after the kill: {child.name}"], timeout=10)
                ok = got[-1:] == [f"after the kill: {child.name}"]
                reconnect_echo_times[child.name] = round(time.monotonic() - killed_at, 3) if ok else None
                report.check(f"kill test: {child.name} echoes again after reconnecting", ok, f"got {got}")
            else:
                reconnect_echo_times[child.name] = None
                report.check(f"kill test: {child.name} echoes again after reconnecting", False, "not reconnected")

        # The others: still connected (they had the whole wait above to drop), still echoing.
        settle = killed_at + DISCONNECT_BOUND + 0.5 - time.monotonic()
        if settle > 0:
            time.sleep(settle)  # long enough for a wrongly dropped survivor to notice; nothing to poll for
        for client in survivors_py:
            report.check(f"kill test: {client.name} (backend {client.backend}) stays connected", client.disconnected_at is None,
                         f"disconnected after {client.disconnected_at - killed_at:.2f} s: {client.disconnect_reason}"
                         if client.disconnected_at else "")
            got = client.exchange([f"after the kill: {client.name}"], timeout=10)
            report.check(f"kill test: {client.name} (backend {client.backend}) still echoes", got == [f"after the kill: {client.name}"])
        for child in survivors_eio:
            with child.cond:
                dropped = child.find_line(r"reconnect|session ended", stderr=True, start=stderr_marks[child.name])
            report.check(f"kill test: {child.name} (backend {child.backend}) stays connected", child.alive() and not dropped,
                         dropped[1].string if dropped else ("" if child.alive() else f"exited {child.process.poll()}"))
            got = child.exchange([f"after the kill: {child.name}"], timeout=10)
            report.check(f"kill test: {child.name} (backend {child.backend}) still echoes", got == [f"after the kill: {child.name}"])

        # New sessions still open through the proxy. HAProxy: round robin still picks the dead server until its health
        # check marks it DOWN, and `option redispatch` sends the refused connection elsewhere. nginx: from the address
        # that ip_hash maps to the dead server, nginx tries the next upstream.
        url = self.urls("sync")[0]
        if self.proxy == "nginx":
            url = next((py for py, _, backend in routes if backend == victim.index), url)
        for i in range(3):
            self.echo_python("sync", ["polling", "websocket"], url,
                             f"kill test: new python Client-{i + 1} [polling+upgrade] after the kill"
                             + (" from the killed backend's ip_hash address" if self.proxy == "nginx" else ""),
                             steps=("text",))
        if self.proxy == "haproxy":
            server = f"s{victim.index}"
            down = wait_until(lambda: [l for l in self.proxy_log().splitlines() if f"/{server} is DOWN" in l], 8, 0.2)
            report.check(f"haproxy: marks the killed server {server} DOWN", bool(down), (down[0][:160] if down else ""))
            others = [l for l in self.proxy_log().splitlines() if " is DOWN" in l and f"/{server} is DOWN" not in l]
            report.check("haproxy: no other server DOWN", not others, "; ".join(others)[:300])
        report.figures["disconnect_seconds"] = disconnect_times
        report.figures["reconnect_seconds"] = reconnect_times
        report.figures["reconnect_echo_seconds"] = reconnect_echo_times
        report.figures["bounds_seconds"] = {"disconnect": DISCONNECT_BOUND, "eio_reconnecting": DISCONNECT_BOUND + FIRST_BACKOFF_MAX,
                                            "reconnect": RECONNECT_BOUND}
        for client in python_clients:
            client.disconnect()
        for child in eio_clients:
            try:
                child.process.stdin.close()
            except OSError:
                pass

    # -- the drain test --

    def start_drain_clients(self, survivors):
        """`eio connect --reconnect --transports websocket` clients, started one at a time (each takes the one new
        session that appears), until every surviving backend holds DRAIN_CLIENTS_PER_BACKEND of them."""
        if self.proxy == "haproxy":
            # WebSocket only, so no cookie: the cookie listener's round robin alternates over the servers still UP.
            urls = [f"http://127.0.0.1:{self.http_port}"]
        else:
            # The forwarders whose source address ip_hash maps to a surviving backend.
            urls = [eio for _, eio, backend in self.routes if backend in {b.index for b in survivors}]
        clients = []
        held = {b.index: 0 for b in survivors}
        for i in range(DRAIN_CLIENTS_PER_BACKEND * len(survivors) + 4):
            if all(n >= DRAIN_CLIENTS_PER_BACKEND for n in held.values()):
                break
            name = f"drain-eio-{i + 1}"
            before = self.sessions.count()
            child = EioConnect(self.eio, name, urls[i % len(urls)], ["--transports", "websocket", "--linger", "0.5", "--reconnect"])
            self.children.append(child)
            got = child.exchange([f"hello from {name}"], timeout=15)
            new = self.sessions.wait_new(before, 5)
            child.backend = new[0][1] if len(new) == 1 else None
            if len(new) != 1 or got != [f"hello from {name}"]:
                raise SetupError(f"drain test: {name} did not connect and echo (got {got}, {len(new)} new sessions): {child.tail()}")
            if held.get(child.backend, DRAIN_CLIENTS_PER_BACKEND) >= DRAIN_CLIENTS_PER_BACKEND:
                child.process.stdin.close()  # one too many there: let it go
                continue
            held[child.backend] += 1
            clients.append(child)
        return clients

    def proxy_503_count(self):
        """How many Engine.IO requests the proxy answered 503 so far (its log: HAProxy's httplog, nginx's access log)."""
        if self.proxy == "haproxy":
            text = self.proxy_log()
        else:
            try:
                with open(os.path.join(self.tmp, "nginx", "access.log"), "rb") as f:
                    text = f.read().decode("utf-8", "replace")
            except OSError:
                return None
        status = r"\] \S+ \S+ \S+ 503 " if self.proxy == "haproxy" else r'" 503 '
        return sum(1 for line in text.splitlines() if "/engine.io/" in line and re.search(status, line))

    def drain_test(self):
        report = self.report
        if not self.features["--drain-timeout"]:
            report.check("drain test: eio serve has --drain-timeout", False)
            return
        killed = report.figures.get("killed_backend")
        survivors = [b for b in self.backends if b.index != killed and b.alive()]
        if len(survivors) < 2:
            report.check("drain test: two backends left to drain one of", False, f"alive: {[b.index for b in survivors]}")
            return
        clients = self.start_drain_clients(survivors)
        per_backend = {b.index: sorted(c.name for c in clients if c.backend == b.index) for b in survivors}
        log("drain test placement: " + "; ".join(f"backend {b}: {', '.join(n)}" for b, n in per_backend.items()))
        report.check("drain test: both remaining backends hold clients",
                     all(len(n) >= 1 for n in per_backend.values()),
                     ", ".join(f"backend {b}: {len(n)}" for b, n in per_backend.items()))
        drained = max(survivors, key=lambda b: len(per_backend[b.index]))
        drained_clients = [c for c in clients if c.backend == drained.index]
        others = [c for c in clients if c.backend != drained.index]
        figures = {"backend": drained.index, "drain_timeout_s": DRAIN_TIMEOUT, "clients_per_backend": per_backend}
        report.figures["drain"] = figures
        for child in clients:
            got = child.exchange([f"before the drain: {child.name}"], timeout=10)
            report.check(f"drain test: {child.name} (backend {child.backend}) echoes before the drain",
                         got == [f"before the drain: {child.name}"], f"got {got}")
        marks = {c.name: len(c.error_lines) for c in clients}
        server = f"s{drained.index}"
        # The drain clients come through the cookie listener, whose backend is `engineio` (the stick-on-source
        # listener's `engineio_by_source` checks the same servers on its own).
        down_pattern = re.compile(rf"^Server (engineio|engineio_by_source)/{server} is DOWN")
        downs_before = len([l for l in self.proxy_log().splitlines() if down_pattern.match(l)])

        # Watchers, so each moment is taken when it happens, whatever this thread is waiting for.
        moments = {}

        def watch_exit():
            try:
                drained.process.wait(timeout=DRAIN_TIMEOUT + DRAIN_EXIT_SLACK + 5)
                moments["exit"] = time.monotonic()
            except subprocess.TimeoutExpired:
                pass

        def watch_haproxy():
            deadline = time.monotonic() + DRAIN_TIMEOUT + DRAIN_EXIT_SLACK + 5
            while time.monotonic() < deadline and "down" not in moments:
                for line in [l for l in self.proxy_log().splitlines() if down_pattern.match(l)][downs_before:]:
                    backend = down_pattern.match(line).group(1)
                    if backend not in moments.setdefault("downs", {}):
                        moments["downs"][backend] = (time.monotonic(), line)
                if "engineio" in moments.get("downs", {}):
                    moments["down"] = moments["downs"]["engineio"]
                time.sleep(0.1)

        log(f"SIGTERM backend {drained.index} (pid {drained.pid}, --drain-timeout {DRAIN_TIMEOUT:g}), holding "
            + ", ".join(per_backend[drained.index]))
        watchers = [threading.Thread(target=watch_exit, daemon=True)]
        if self.proxy == "haproxy":
            watchers.append(threading.Thread(target=watch_haproxy, daemon=True))
        sent_at = time.monotonic()
        os.kill(drained.pid, signal.SIGTERM)
        for watcher in watchers:
            watcher.start()

        # (a) GET /healthz, asked of B directly: 503 "draining".
        healthz = wait_until(lambda: (lambda r: r if r[0] == 503 else None)(http_get(drained.port, "/healthz", timeout=1)),
                             1.0, 0.02)
        figures["healthz_503_after_s"] = round(time.monotonic() - sent_at, 3) if healthz else None
        report.check(f"drain test: backend {drained.index}'s GET /healthz answers 503 draining within 1 s of SIGTERM",
                     bool(healthz) and healthz[1].strip() == "draining",
                     f"{figures['healthz_503_after_s']} s, {healthz[1].strip()!r}" if healthz
                     else f"last: {http_get(drained.port, '/healthz', timeout=1)}")
        # (b) A new handshake, sent to B directly: 503 {"code":6,"message":"Server is draining"}.
        status, body = http_get(drained.port, "/engine.io/?EIO=4&transport=polling", timeout=1)
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        figures["direct_handshake"] = {"status": status, "body": body[:200]}
        report.check(f"drain test: a new handshake sent directly to backend {drained.index} gets 503 Server is draining",
                     status == 503 and parsed == DRAINING_BODY, f"{status} {body[:120]!r}")
        # For the record (no check): new handshakes through the proxy meanwhile. Neither proxy retries a 503, so
        # those it sends to B fail until B is out of its rotation (HAProxy: marked DOWN; nginx: B gone).
        if self.proxy == "haproxy":
            probe = {"port": self.http_port}  # no cookie: round robin over the servers still UP
        else:
            probe = {"port": self.http_port, "source": report.figures.get("nginx_source_addresses", {}).get(str(drained.index))}
        statuses = []
        baseline = self.proxy_503_count() or 0
        for _ in range(4):
            status, _ = http_get(probe["port"], "/engine.io/?EIO=4&transport=polling", source=probe.get("source"), timeout=2)
            statuses.append(status)
        figures["new_handshakes_via_proxy_during_drain"] = {
            "statuses": statuses, "at_s": round(time.monotonic() - sent_at, 3),
            "from": probe.get("source") or "127.0.0.1"}
        log(f"drain test: new handshakes through {self.proxy} during the drain: {statuses}")
        # (the proxy logs a request as it ends: let the probes' lines arrive)
        errors_before = wait_until(lambda: (lambda n: n if n is not None and n >= baseline + statuses.count(503) else None)(
            self.proxy_503_count()), 1.0, 0.05) or self.proxy_503_count()
        # (c) B's clients still echo during the drain.
        for child in drained_clients:
            text = f"during the drain: {child.name}"
            got = child.exchange([text], timeout=max(0.1, sent_at + DRAIN_TIMEOUT - 0.3 - time.monotonic()))
            at = time.monotonic() - sent_at
            report.check(f"drain test: {child.name} (backend {drained.index}) still echoes during the drain",
                         got == [text] and at < DRAIN_TIMEOUT, f"got {got} {at:.2f} s after SIGTERM")

        # (d) At the drain timeout: `disconnected (server disconnect)`, `reconnecting`, `reconnected`, an echo.
        disconnect_s, reconnecting_s, reconnect_s, attempts, echo_s, reasons, moved_to = {}, {}, {}, {}, {}, {}, {}
        for child in drained_clients:
            mark = marks[child.name]
            line = child.wait_for(lambda: child.find_line(r"disconnected \((.*?)\)|session ended", stderr=True, start=mark)
                                  or not child.alive(), max(0.0, sent_at + DRAIN_TIMEOUT + DRAIN_DISCONNECT_LATE + 2 - time.monotonic()))
            if line is True:
                with child.cond:
                    line = child.find_line(r"disconnected \((.*?)\)|session ended", stderr=True, start=mark)
            seconds = round(line[0] - sent_at, 3) if line else None
            disconnect_s[child.name] = seconds
            reasons[child.name] = line[1].group(1) if line else None
            report.check(f"drain test: {child.name} says 'disconnected (server disconnect)' at the drain timeout "
                         f"({DRAIN_TIMEOUT:g} s -{DRAIN_DISCONNECT_EARLY} +{DRAIN_DISCONNECT_LATE} s)",
                         bool(line) and line[1].group(1) == "server disconnect"
                         and DRAIN_TIMEOUT - DRAIN_DISCONNECT_EARLY <= seconds <= DRAIN_TIMEOUT + DRAIN_DISCONNECT_LATE,
                         f"{seconds} s: {line[1].string[:160]}" if line else f"nothing; alive={child.alive()}; {child.tail(4)}")
            begun = child.wait_for(lambda: child.find_line(r"reconnecting \(attempt 1\)", stderr=True, start=mark)
                                   or not child.alive(), max(0.0, sent_at + DRAIN_RECONNECT_BOUND - time.monotonic()))
            if begun is True:
                with child.cond:
                    begun = child.find_line(r"reconnecting \(attempt 1\)", stderr=True, start=mark)
            reconnecting_s[child.name] = round(begun[0] - sent_at, 3) if begun else None
            back = child.wait_for(lambda: child.find_line(r"reconnected \(attempt (\d+)\)", stderr=True, start=mark)
                                  or not child.alive(), max(0.0, sent_at + DRAIN_RECONNECT_BOUND - time.monotonic()))
            if back is True:
                with child.cond:
                    back = child.find_line(r"reconnected \(attempt (\d+)\)", stderr=True, start=mark)
            seconds = round(back[0] - sent_at, 3) if back else None
            reconnect_s[child.name] = seconds
            attempts[child.name] = int(back[1].group(1)) if back else None
            with child.cond:
                said = [l for _, l in child.error_lines[mark:]]
            report.check(f"drain test: {child.name} says 'reconnecting (attempt 1)' then 'reconnected (attempt N)' "
                         f"within {DRAIN_RECONNECT_BOUND:.0f} s of SIGTERM",
                         bool(begun) and bool(back) and begun[0] <= back[0] and seconds <= DRAIN_RECONNECT_BOUND,
                         f"reconnecting at {reconnecting_s[child.name]} s, {back[1].group(0)} at {seconds} s" if back
                         else f"not reconnected; alive={child.alive()}; stderr since SIGTERM: {said[-6:]}")
            if back and child.alive():
                text = f"after the drain: {child.name}"
                got = child.exchange([text], timeout=10)
                ok = got[-1:] == [text]
                echo_s[child.name] = round(time.monotonic() - sent_at, 3) if ok else None
                where = self.sessions.wait_message(f'text("{text}")', 3)
                moved_to[child.name] = where[1] if where else None
                report.check(f"drain test: {child.name} echoes again through the proxy, from another backend",
                             ok and where is not None and where[1] != drained.index,
                             f"got {got}, echoed by backend {moved_to[child.name]}")
            else:
                echo_s[child.name] = None
                report.check(f"drain test: {child.name} echoes again through the proxy, from another backend", False, "not reconnected")
        figures.update({"disconnect_reasons": reasons, "disconnect_seconds": disconnect_s, "reconnecting_seconds": reconnecting_s,
                        "reconnect_seconds": reconnect_s, "reconnect_attempts": attempts, "reconnect_echo_seconds": echo_s,
                        "reconnected_backend": moved_to})

        # (e) B exits with status 0 within the drain timeout + DRAIN_EXIT_SLACK.
        bound = DRAIN_TIMEOUT + DRAIN_EXIT_SLACK
        wait_until(lambda: "exit" in moments, max(0.0, sent_at + bound + 1 - time.monotonic()), 0.05)
        code = drained.process.poll()
        figures["exit_status"] = code
        figures["exit_after_s"] = round(moments["exit"] - sent_at, 3) if "exit" in moments else None
        with drained.cond:
            stopped = [l for _, l in drained.lines if l.startswith("eio ")]
        report.check(f"drain test: backend {drained.index} exits with status 0 within {bound:g} s of SIGTERM",
                     code == 0 and figures["exit_after_s"] is not None and figures["exit_after_s"] <= bound,
                     f"status {code} after {figures['exit_after_s']} s; said {stopped[-2:]}")
        if self.proxy == "haproxy":
            # HAProxy's health check (inter 2 s, fall 2) marks B DOWN: by the 503, or by the refused connection
            # once B has exited, whichever comes first.
            wait_until(lambda: "down" in moments, max(0.0, sent_at + DRAIN_TIMEOUT + DRAIN_EXIT_SLACK - time.monotonic()), 0.1)
            down = moments.get("down")
            figures["haproxy_down_after_s"] = round(down[0] - sent_at, 3) if down else None
            figures["haproxy_down_line"] = down[1][:240] if down else None
            reason = re.search(r"reason: ([^,]*(, code: \d+)?)", down[1]) if down else None
            figures["haproxy_down_reason"] = reason.group(1) if reason else None
            figures["haproxy_down_after_s_by_backend"] = {name: round(at - sent_at, 3) for name, (at, _) in moments.get("downs", {}).items()}
            report.check(f"haproxy: marks the drained server engineio/{server} DOWN by its health check",
                         bool(down), f"after {figures['haproxy_down_after_s']} s: {figures['haproxy_down_reason']}" if down
                         else "no DOWN line")
            others = [l for l in self.proxy_log().splitlines() if " is DOWN" in l
                      and f"/{server} is DOWN" not in l and f"/s{killed} is DOWN" not in l]
            report.check("haproxy: no server other than the killed and the drained one DOWN", not others, "; ".join(others)[:300])
        errors_after = self.proxy_503_count()
        # The 503s the proxy passed on to the reconnecting clients (B's answer to a reconnection it was sent).
        figures["proxy_503_responses_to_reconnections"] = (errors_after - errors_before
                                                       if errors_after is not None and errors_before is not None else None)

        # (f) The other backend's clients: never disconnected, still echo.
        for child in others:
            with child.cond:
                dropped = child.find_line(r"disconnected|reconnect|session ended", stderr=True, start=marks[child.name])
            report.check(f"drain test: {child.name} (backend {child.backend}) stays connected", child.alive() and not dropped,
                         dropped[1].string if dropped else ("" if child.alive() else f"exited {child.process.poll()}"))
            got = child.exchange([f"after the drain: {child.name}"], timeout=10)
            report.check(f"drain test: {child.name} (backend {child.backend}) still echoes", got == [f"after the drain: {child.name}"])
        for child in clients:
            try:
                child.process.stdin.close()
            except OSError:
                pass

    # -- run and clean up --

    def run(self):
        self.detect_features()
        self.start_backends()
        for attempt in range(3):
            self.render()
            try:
                self.start_proxy()
                break
            except SetupError:
                # A port taken between choosing and binding: try fresh ports.
                if attempt == 2 or "Address already in use" not in self.proxy_process.tail(40):
                    raise
                log(f"{self.proxy}: a port was taken, retrying with others")
                self.proxy_process.kill()
        version = subprocess.run([self.proxy, "-v"], capture_output=True, text=True)
        self.report.figures["proxy_version"] = (version.stdout + version.stderr).strip().splitlines()[0]
        self.report.figures["backends"] = [{"index": b.index, "port": b.port, "pid": b.pid} for b in self.backends]
        self.check_forwarded_for()
        self.echo_checks()
        self.kill_test()
        self.drain_test()
        gone = {self.report.figures.get("killed_backend"), self.report.figures.get("drain", {}).get("backend")}
        for backend in self.backends:
            if backend is not None and backend.index not in gone:
                self.report.check(f"backend {backend.index} still running", backend.alive())

    def cleanup(self):
        for client in self.clients:
            try:
                if client.kind == "sync" and client.client.state == "connected":
                    client.client.disconnect(abort=True)
            except Exception:  # noqa: BLE001
                pass
        for child in reversed(self.children):
            child.kill()
        for forwarder in self.forwarders:
            forwarder.close()
        self.loop.stop()
        if self.args.keep_temp:
            log(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eio", required=True, help="the eio binary (e.g. .build/debug/eio)")
    parser.add_argument("--proxy", required=True, choices=["haproxy", "nginx"])
    parser.add_argument("--json", action="store_true", help="end with one JSON object of figures")
    parser.add_argument("--deploy-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy"),
                        help="where the templates are (default: the repository's deploy/)")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temp dir (rendered config, proxy log)")
    args = parser.parse_args()
    args.deploy_dir = os.path.abspath(args.deploy_dir)

    binary = shutil.which(args.proxy) or next((p for p in (f"/usr/sbin/{args.proxy}",) if os.access(p, os.X_OK)), None)
    if not binary:
        print(f"skip: {args.proxy} is not installed (scripts/setup --interop installs it)")
        return 77
    if not shutil.which("openssl"):
        print("skip: openssl is not installed (scripts/setup --interop installs it)")
        return 77
    os.environ["PATH"] = os.path.dirname(binary) + os.pathsep + os.environ.get("PATH", "")
    if engineio is None:
        print(f"error: python-engineio is not importable by {sys.executable} (run with .build/interop-venv/bin/python "
              "after scripts/setup --interop)")
        return 2
    if not os.access(args.eio, os.X_OK):
        print(f"error: {args.eio} is not an executable (swift build first)")
        return 2

    def terminated(number, frame):
        raise SystemExit(128 + number)
    signal.signal(signal.SIGTERM, terminated)

    report = Report()
    harness = Harness(args, report)
    error = None
    try:
        harness.run()
    except SetupError as failure:
        error = str(failure)
        report.check("setup", False, error.splitlines()[0])
        log(error)
    except Exception as failure:  # noqa: BLE001  (reported as a failed check, then cleaned up)
        import traceback
        error = f"{failure!r}\n{traceback.format_exc()}"
        report.check("harness ran to the end", False, repr(failure))
        log(error)
    finally:
        harness.cleanup()

    failed, passed = report.failed, report.passed
    not_applicable = [c for c in report.checks if c["ok"] is None]
    print(f"proxy_check {args.proxy}: {len(report.checks)} checks with 3 eio serve backends behind "
          f"{report.figures.get('proxy_version', args.proxy)}")
    for c in report.checks:
        word = "PASS" if c["ok"] else ("n/a " if c["ok"] is None else "FAIL")
        print(f"  {word} {c['name']}" + (f" ({c['detail']})" if c["detail"] else ""))
    figures = report.figures
    if "clients_per_backend" in figures:
        print("  kill test: clients per backend: "
              + "; ".join(f"{b}: {', '.join(n) or '-'}" for b, n in figures["clients_per_backend"].items())
              + f"; killed backend {figures.get('killed_backend')}")
        print(f"  kill test: disconnect seconds {figures.get('disconnect_seconds')} (bound {DISCONNECT_BOUND} s); "
              f"reconnect seconds {figures.get('reconnect_seconds')} (bound {RECONNECT_BOUND} s)")
    if "drain" in figures:
        drain = figures["drain"]
        print(f"  drain test: backend {drain.get('backend')} (--drain-timeout {DRAIN_TIMEOUT:g}): healthz 503 after "
              f"{drain.get('healthz_503_after_s')} s; disconnect seconds {drain.get('disconnect_seconds')}; reconnect seconds "
              f"{drain.get('reconnect_seconds')} (attempts {drain.get('reconnect_attempts')}); exit status "
              f"{drain.get('exit_status')} after {drain.get('exit_after_s')} s"
              + (f"; haproxy DOWN after {drain.get('haproxy_down_after_s')} s ({drain.get('haproxy_down_reason')})"
                 if "haproxy_down_after_s" in drain else "")
              + f"; 503s the proxy passed on to reconnections: {drain.get('proxy_503_responses_to_reconnections')}")
    print(f"  messages echoed and checked: {harness.messages_checked}; {time.monotonic() - START:.1f} s")
    if failed:
        print(f"summary: {len(failed)} of {len(failed) + len(passed)} checks FAILED: " + "; ".join(c["name"] for c in failed))
    else:
        print(f"summary: all {len(passed)} checks passed ({len(not_applicable)} not applicable)")
    if args.json:
        figures.update({
            "proxy": args.proxy, "eio": os.path.abspath(args.eio), "features": harness.features,
            "messages_checked": harness.messages_checked, "checks": report.checks,
            "passed": not failed, "failed": [c["name"] for c in failed], "error": error,
            "duration_seconds": round(time.monotonic() - START, 2),
        })
        print(json.dumps(figures, ensure_ascii=False))
    sys.stdout.flush()
    sys.stderr.flush()
    return 0 if not failed else 1


if __name__ == "__main__":
    code = main()
    # Daemon threads of the clients (and aiohttp's) must not hold the exit up.
    os._exit(code)
