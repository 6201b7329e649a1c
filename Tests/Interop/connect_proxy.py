"""A small HTTP CONNECT proxy for the client's proxy tests.

usage: connect_proxy.py      Prints "ready PORT", then "tunnel HOST:PORT" for each tunnel it opens.
"""
import socket
import threading


def relay(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client):
    head = b""
    while b"\r\n\r\n" not in head:
        data = client.recv(1)
        if not data:
            client.close()
            return
        head += data
    parts = head.split(b"\r\n")[0].split(b" ")
    if len(parts) < 2 or parts[0] != b"CONNECT":
        client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        client.close()
        return
    host, port = parts[1].decode().rsplit(":", 1)
    try:
        upstream = socket.create_connection((host.strip("[]"), int(port)))
    except OSError:
        client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        client.close()
        return
    print(f"tunnel {host}:{port}", flush=True)
    client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
    threading.Thread(target=relay, args=(client, upstream), daemon=True).start()
    relay(upstream, client)


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print(f"ready {listener.getsockname()[1]}", flush=True)
while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
