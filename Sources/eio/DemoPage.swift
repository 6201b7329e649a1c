/// The page `eio serve` shows at `/`: a chat box over our own small Engine.IO v4 browser client (polling handshake,
/// then the WebSocket upgrade), so a person can watch the protocol work.
enum DemoPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>swift-engineio demo</title>
<style>
  body { font: 15px system-ui, sans-serif; max-width: 40em; margin: 2em auto; color: #222; }
  #log { border: 1px solid #ccc; height: 20em; overflow-y: auto; padding: .5em; margin: 1em 0; background: #fafafa; }
  #log div { margin: .15em 0; } .sys { color: #777; font-style: italic; } .me { color: #05a; }
  form { display: flex; gap: .5em; } input { flex: 1; padding: .4em; } button { padding: .4em 1em; }
  #status { font-weight: bold; }
</style>
</head>
<body>
<h1>swift-engineio</h1>
<p>Status: <span id="status">connecting…</span> · transport: <span id="transport">–</span> · sid: <code id="sid">–</code></p>
<div id="log"></div>
<form id="form"><input id="text" autocomplete="off" placeholder="Type a message and press Enter" autofocus><button>Send</button></form>
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
</script>
</body>
</html>
"""#
}
