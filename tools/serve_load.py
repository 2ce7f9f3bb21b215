#!/usr/bin/env python3
"""Submits signed events to antq serve from many concurrent clients (keep-alive HTTPS connections with a client
certificate), for tools/serve-crash-test.sh. Each client thread takes the next file, POSTs it to /v1/acts, and on
201 appends "seq leaf_hash file" to the --acked file (flushed at once: the line exists only after the server's
acknowledgement). A 422 duplicate (an act committed before, its answer lost with a killed server) is noted as
"duplicate file". The run ends when the files are done or the server is gone.

  serve_load.py --url https://127.0.0.1:PORT --cacert ROOTS --cert C --key K --clients 64 --acked FILE SIGNED...
"""
import argparse
import http.client
import json
import ssl
import sys
import threading
import urllib.parse


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--cacert", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--acked", required=True)
    p.add_argument("files", nargs="+")
    a = p.parse_args()
    url = urllib.parse.urlsplit(a.url)
    context = ssl.create_default_context(cafile=a.cacert)
    context.load_cert_chain(a.cert, a.key)
    files = list(a.files)
    lock = threading.Lock()
    out = open(a.acked, "a", buffering=1)
    stop = threading.Event()

    def client():
        conn = None
        while not stop.is_set():
            with lock:
                if not files:
                    return
                name = files.pop(0)
            body = open(name, "rb").read()
            try:
                if conn is None:
                    conn = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=60)
                conn.request("POST", "/v1/acts", body=body, headers={"Content-Type": "application/octet-stream"})
                r = conn.getresponse()
                answer = r.read()
            except (OSError, http.client.HTTPException):
                stop.set()  # the server is gone: this file's fate is unknown, as a clerk's would be
                return
            with lock:
                if r.status == 201:
                    e = json.loads(answer)["entries"][0]
                    out.write(f"{e['seq']} {e['leaf_hash']} {name}\n")
                elif r.status == 422 and json.loads(answer).get("refused") == "duplicate":
                    out.write(f"duplicate {name}\n")
                else:
                    print(f"serve_load: {name}: HTTP {r.status}: {answer[:300]!r}", file=sys.stderr)
                    stop.set()

    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
