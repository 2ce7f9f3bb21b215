#!/usr/bin/env python3
"""A stand-in for antq serve that answers every request with one hostile answer, for serve_client_test.sh.

    hostile_server.py CERT KEY MODE [FILE]   prints the port it listens on (127.0.0.1, TLS), then serves until killed.

MODE answer-201 answers every request 201 with the body in FILE (a receipt, changed or not, for serve_test.sh);
refresh-html answers the start of FILE (antq's document prologue) and a <meta> refresh.
"""
import socket
import ssl
import sys
import threading
import time

cert, key, mode = sys.argv[1:4]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)


def answer(status, body, content_type=b"application/json", extra=b""):
    return (b"HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n" %
            (status, content_type, len(body), extra) + body)


def endless(conn, start, line):
    """`start`, then `line` over and over for at most 30 s (the client is to give up long before)."""
    conn.sendall(start)
    until = time.time() + 30
    while time.time() < until:
        conn.sendall(line)


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            return False
        data += more
    head, _, rest = data.partition(b"\r\n\r\n")
    if mode == "early-201":  # answered from the header, its body (asked for with Expect: 100-continue) not read
        return True
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(rest) < length:
        more = conn.recv(65536)
        if not more:
            break
        rest += more
    return True


def serve(conn):
    try:
        while read_request(conn):
            if mode == "chunk-extension":
                return endless(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;", b"a" * 65536)
            if mode == "trailer":
                return endless(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n",
                               b"X-T: " + b"a" * 1000 + b"\r\n")
            if mode == "nested":
                conn.sendall(answer(200, b"[" * 100000 + b"]" * 100000))
            elif mode == "many-values":
                conn.sendall(answer(200, b"[" + b"[]," * 5000000 + b"[]]"))
            elif mode == "deep-and-wide":
                conn.sendall(answer(200, b"[" * 60 + b"[]," * 1900000 + b"[]" + b"]" * 60))
            elif mode == "retry-0":
                conn.sendall(answer(503, b'{"error": "busy"}', extra=b"Retry-After: 0\r\n"))
                continue
            elif mode == "formula-csv":
                conn.sendall(answer(200, "\ufeffsection,key,value\r\npoints,=HYPERLINK(\"http://x\"),1\r\n".encode(),
                                    b"text/csv"))
            elif mode == "c1-csv":
                conn.sendall(answer(200, "\ufeffsection,key,value\r\npoints,\u009b31mred,1\r\n".encode(), b"text/csv"))
            elif mode == "script-html":
                conn.sendall(answer(200, b"<!doctype html><script>alert(1)</script>", b"text/html"))
            elif mode == "refresh-html":  # antq's prologue, then a refresh to another site
                prologue = open(sys.argv[4], "rb").read()
                conn.sendall(answer(200, prologue + b'<META http-equiv="refresh" content="0;url=https://x.example/">',
                                    b"text/html"))
            elif mode == "units-ceased":
                conn.sendall(answer(200, b'{"as_of": "2025-01-01", "units": [{"name": "A", "level": "commune", '
                                         b'"registered": true, "depth": 0, "subjects": 1, "subjects_under": 1, '
                                         b'"successor": "B", "ceased": "yes"}]}'))
            elif mode == "long-error":
                conn.sendall(answer(500, b'{"error": "' + b"x" * 50000 + b'"}'))
            elif mode == "huge-error":
                conn.sendall(answer(500, b'{"error": "' + b"x" * (8 << 20) + b'"}'))
            elif mode == "huge-chunked-error":
                return endless(conn, b"HTTP/1.1 404 X\r\nTransfer-Encoding: chunked\r\n\r\n",
                               b"10000\r\n" + b"x" * 65536 + b"\r\n")
            elif mode == "damaged":
                conn.sendall(answer(500, b'{"error": "entry 7: the store is damaged", "damaged": true}'))
            elif mode == "damaged-string":
                conn.sendall(answer(500, b'{"error": "entry 7: the store is damaged", "damaged": "yes"}'))
            elif mode == "many-values-201":
                conn.sendall(answer(201, b'{"entries": [' + b"[]," * 5000000 + b"[]]}"))
            elif mode == "early-201":
                conn.sendall(answer(201, b'{"entries": []}'))
            elif mode == "interim-103":  # passed over: the final answer is the one that counts
                conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" * 3 +
                             answer(500, b'{"error": "after the hints"}'))
            elif mode == "interim-storm":
                conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" * 20)
            elif mode == "redirect":
                conn.sendall(answer(301, b"", b"text/html", b"Location: https://elsewhere.example/v1/\r\n"))
            elif mode == "close-after-read":
                return
            elif mode == "reconcile-other":  # a reconciliation of another report, with nothing to differ
                conn.sendall(answer(200, b'{"period": "2026", "unit": "", "as_of": "2026-01-01", "figures": 0, '
                                         b'"differences": []}'))
            elif mode == "answer-201":
                with open(sys.argv[4], "rb") as f:
                    conn.sendall(answer(201, f.read()))
            elif mode == "other-act":
                conn.sendall(answer(201, b'{"entries": [{"seq": 7, "act": "model.terminated", "subject": "X"}]}'))
            return
    except OSError:
        return
    finally:
        conn.close()


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(listener.getsockname()[1], flush=True)
while True:
    raw, _ = listener.accept()
    try:
        conn = context.wrap_socket(raw, server_side=True)
    except (OSError, ssl.SSLError):
        raw.close()
        continue
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
