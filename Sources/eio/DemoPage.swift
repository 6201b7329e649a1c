/// The page `eio serve` shows at `/`: a chat box over our own small Engine.IO v4 browser client (polling handshake,
/// then the WebSocket upgrade), so a person can watch the protocol work; and, with `--metrics`, the server's live
/// figures from `/metrics` with a chart of messages per second.
enum DemoPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>swift-engineio demo</title>
<style>
  body { font: 15px system-ui, sans-serif; max-width: 40em; margin: 2em auto; color: #222; }
  #log { border: 1px solid #ccc; height: 14em; overflow-y: auto; padding: .5em; margin: 1em 0; background: #fafafa; }
  #log div { margin: .15em 0; } .sys { color: #777; font-style: italic; } .me { color: #05a; }
  form { display: flex; gap: .5em; } input { flex: 1; padding: .4em; } button { padding: .4em 1em; }
  #status { font-weight: bold; }
  #metrics { border: 1px solid #ccc; padding: .5em .8em; margin: 1em 0; background: #fcfcff; }
  #metrics h2 { font-size: 1em; margin: 0 0 .4em; }
  #figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: .3em .8em; margin-bottom: .5em; }
  #figures div { font-size: .8em; color: #555; } #figures b { display: block; font-size: 1.35em; color: #222; }
  #chart { width: 100%; height: 110px; display: block; }
</style>
</head>
<body>
<h1>swift-engineio</h1>
<p>Status: <span id="status">connecting…</span> · transport: <span id="transport">–</span> · sid: <code id="sid">–</code></p>
<div id="log"></div>
<form id="form"><input id="text" autocomplete="off" placeholder="Type a message and press Enter" autofocus><button>Send</button></form>
<section id="metrics">
<h2>Server metrics <span id="metrics-note" class="sys"></span></h2>
<div id="figures">
  <div><b id="m-websocket">–</b>WebSocket sessions</div><div><b id="m-polling">–</b>polling sessions</div>
  <div><b id="m-rate-in">–</b>messages in / s</div><div><b id="m-rate-out">–</b>messages out / s</div>
  <div><b id="m-handshakes">–</b>handshakes</div><div><b id="m-upgrades">–</b>upgrades</div>
  <div><b id="m-disconnects">–</b>disconnects</div><div><b id="m-lag">–</b>loop lag (ms)</div>
</div>
<canvas id="chart" width="640" height="110"></canvas>
</section>
<script>
"use strict";
// A small Engine.IO v4 client: polling first, then the upgrade to WebSocket (probe, pause, commit).
class EngineIOClient {
  constructor(path) { this.path = path; this.queue = []; this.posting = false; this.transport = "polling"; this.handlers = {}; }
  on(name, fn) { this.handlers[name] = fn; }
  emit(name, ...args) { if (this.handlers[name]) this.handlers[name](...args); }
  url(transport) {
    const q = `EIO=4&transport=${transport}` + (this.sid ? `&sid=${encodeURIComponent(this.sid)}` : "") + `&t=${Date.now().toString(36)}`;
    return `${this.path}?${q}`;
  }
  async connect() {
    const response = await fetch(this.url("polling"));
    if (!response.ok) { this.emit("close", `handshake refused (${response.status})`); return; }
    const packets = (await response.text()).split("\x1e");
    const open = JSON.parse(packets.shift().slice(1));
    this.sid = open.sid; this.open = true;
    this.emit("open", open);
    packets.forEach(p => this.receive(p));
    this.pollLoop();
    if (open.upgrades.includes("websocket") && "WebSocket" in window) this.upgrade();
  }
  async pollLoop() {
    while (this.open && this.transport === "polling") {
      this.polling = true;
      let text;
      try {
        const response = await fetch(this.url("polling"));
        if (!response.ok) throw new Error(`poll answered ${response.status}`);
        text = await response.text();
      } catch (error) { this.polling = false; return this.close(`transport error: ${error.message}`); }
      this.polling = false;
      text.split("\x1e").forEach(p => this.receive(p));
      if (this.pausing) { this.pausing(); return; }
    }
  }
  receive(packet) {
    switch (packet[0]) {
      case "2": this.send("3" + packet.slice(1)); break;
      case "4": this.emit("message", packet.slice(1)); break;
      case "b": this.emit("message", `(binary, ${atob(packet.slice(1)).length} bytes)`); break;
      case "1": this.close("server disconnect"); break;
    }
  }
  send(packet) {
    if (this.transport === "websocket" && !this.upgrading) { this.ws.send(packet); return; }
    this.queue.push(packet); this.flush();
  }
  async flush() {
    if (this.posting || this.upgrading || this.transport !== "polling" || !this.queue.length) return;
    const body = this.queue.splice(0).join("\x1e");
    this.posting = true;
    try { await fetch(this.url("polling"), { method: "POST", body, headers: { "Content-Type": "text/plain;charset=UTF-8" } }); }
    catch (error) { return this.close(`transport error: ${error.message}`); }
    finally { this.posting = false; }
    if (this.pausing && !this.polling) this.pausing(); else this.flush();
  }
  upgrade() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}${this.url("websocket")}`);
    ws.onopen = () => ws.send("2probe");
    ws.onmessage = event => {
      if (event.data !== "3probe") { ws.close(); return; }
      this.upgrading = true;
      const commit = () => {
        if (this.polling || this.posting) return;
        this.pausing = null;
        ws.send("5");
        this.ws = ws; this.transport = "websocket"; this.upgrading = false;
        ws.onmessage = e => this.receive(typeof e.data === "string" ? e.data : "b");
        ws.onclose = () => this.close("transport close");
        this.queue.splice(0).forEach(p => ws.send(p));
        this.emit("upgrade");
      };
      this.pausing = commit; commit();
    };
    ws.onerror = () => { this.upgrading = false; };
  }
  close(reason) { if (!this.open) return; this.open = false; if (this.ws) this.ws.close(); this.emit("close", reason); }
}

const log = (text, cls) => { const div = document.createElement("div"); div.textContent = text; if (cls) div.className = cls;
  const box = document.getElementById("log"); box.appendChild(div); box.scrollTop = box.scrollHeight; };
const client = new EngineIOClient("/engine.io/");
client.on("open", open => { document.getElementById("status").textContent = "connected";
  document.getElementById("sid").textContent = open.sid; document.getElementById("transport").textContent = "polling";
  log(`connected (ping every ${open.pingInterval} ms)`, "sys"); });
client.on("upgrade", () => { document.getElementById("transport").textContent = "websocket"; log("upgraded to WebSocket", "sys"); });
client.on("message", text => log(text));
client.on("close", reason => { document.getElementById("status").textContent = "disconnected"; log(`disconnected: ${reason}`, "sys"); });
document.getElementById("form").addEventListener("submit", event => {
  event.preventDefault();
  const input = document.getElementById("text");
  if (!input.value) return;
  client.send("4" + input.value); log(`you: ${input.value}`, "me"); input.value = "";
});
client.connect();

// Server metrics: /metrics (eio serve --metrics) in the Prometheus text format, read every second.
const samples = text => { const map = {}; for (const line of text.split("\n")) { if (!line || line[0] === "#") continue;
  const space = line.lastIndexOf(" "); map[line.slice(0, space)] = Number(line.slice(space + 1)); } return map; };
const sum = (map, prefix) => Object.keys(map).filter(k => k.startsWith(prefix)).reduce((t, k) => t + map[k], 0);
const history = []; let previous = null;
function drawChart() {
  const canvas = document.getElementById("chart"), g = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  const top = Math.max(10, ...history.map(p => Math.max(p.in, p.out)));
  g.strokeStyle = "#ddd"; g.beginPath(); g.moveTo(0, h - 0.5); g.lineTo(w, h - 0.5); g.stroke();
  g.fillStyle = "#888"; g.font = "11px system-ui"; g.fillText(`${Math.round(top)} msg/s`, 4, 12); g.fillText("last 60 s", w - 52, 12);
  const x = i => w - (history.length - 1 - i) * (w / 59), y = v => h - 2 - (v / top) * (h - 18);
  // Received: a filled area; sent: a line over it (an echo server's two coincide).
  g.fillStyle = "rgba(0, 85, 170, .18)"; g.beginPath(); g.moveTo(x(0), h);
  history.forEach((p, i) => g.lineTo(x(i), y(p.in))); g.lineTo(x(history.length - 1), h); g.closePath(); g.fill();
  g.strokeStyle = "#e80"; g.lineWidth = 2; g.beginPath();
  history.forEach((p, i) => { if (i) g.lineTo(x(i), y(p.out)); else g.moveTo(x(i), y(p.out)); }); g.stroke();
  g.fillStyle = "#05a"; g.fillText("■ received", 90, 12); g.fillStyle = "#e80"; g.fillText("— sent", 160, 12);
}
async function readMetrics() {
  let map;
  try { const response = await fetch("/metrics", { cache: "no-store" });
    if (!response.ok) { document.getElementById("metrics-note").textContent = "(start eio serve with --metrics to see them)"; return; }
    map = samples(await response.text()); } catch (error) { document.getElementById("metrics-note").textContent = "(server unreachable)"; return; }
  const now = performance.now();
  document.getElementById("metrics-note").textContent = map.engineio_draining ? "(draining)" : "(live)";
  document.getElementById("m-websocket").textContent = map['engineio_sessions{transport="websocket"}'] ?? 0;
  document.getElementById("m-polling").textContent = map['engineio_sessions{transport="polling"}'] ?? 0;
  document.getElementById("m-handshakes").textContent = map.engineio_handshakes_total;
  document.getElementById("m-upgrades").textContent = map.engineio_upgrades_total;
  document.getElementById("m-disconnects").textContent = sum(map, "engineio_disconnects_total");
  document.getElementById("m-lag").textContent = Math.round(map.engineio_event_loop_lag_seconds * 1000);
  if (previous) {
    const seconds = (now - previous.at) / 1000;
    const point = { in: (map.engineio_messages_received_total - previous.map.engineio_messages_received_total) / seconds,
                    out: (map.engineio_messages_sent_total - previous.map.engineio_messages_sent_total) / seconds };
    history.push(point); if (history.length > 60) history.shift();
    document.getElementById("m-rate-in").textContent = Math.round(point.in);
    document.getElementById("m-rate-out").textContent = Math.round(point.out);
    drawChart();
  }
  previous = { at: now, map };
}
readMetrics(); setInterval(readMetrics, 1000);
</script>
</body>
</html>
"""#
}
