#!/usr/bin/env python3
"""webhook_sink.py - a real local HTTP receiver for the tests' webhooks.

Listens on 127.0.0.1 (port 0 picks a free one), prints "listening PORT"
once ready, and stores every POST as DIR/hook-N.json: {"path", "headers"
(lower-case names), "body" (text)}.  It answers 200, except for the first
FAIL requests, which get 503 (to exercise retries with backoff).  Instead
of a number, the second argument can be "fail:TEXT": every request whose
body (or path) contains TEXT gets 500 (a receiver that keeps refusing one message),
or "hang:TEXT": such a request is stored, then answered only after a long
wait (to stop a sender in the middle of sending).

Two settings come from the environment: WEBHOOK_SINK_PORT listens on that
port instead of a free one (a receiver coming back after it was down), and
WEBHOOK_SINK_SECRET checks each request's Rapport-Signature as a receiver
written in Python would (HMAC-SHA256 of "<t>.<body>", compared in constant
time) and adds "verified": true or false to the stored record.

usage: webhook_sink.py DIR [FAIL | fail:TEXT | hang:TEXT]
"""
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time

OUT = sys.argv[1]
ARG = sys.argv[2] if len(sys.argv) > 2 else "0"
MODE, _, TEXT = ARG.partition(":") if ":" in ARG else ("", "", "")
FAIL = 0 if MODE else int(ARG)
PORT = int(os.environ.get("WEBHOOK_SINK_PORT") or 0)
SECRET = os.environ.get("WEBHOOK_SINK_SECRET")
lock = threading.Lock()


def verified(header, body):
    """Rapport-Signature "t=<ts>,v1=<hex>[,v1=...]" checked against body."""
    parts = [p.split("=", 1) for p in (header or "").split(",") if "=" in p]
    ts = [v for k, v in parts if k == "t"]
    sigs = [v for k, v in parts if k == "v1"]
    if len(ts) != 1 or not sigs:
        return False
    want = hmac.new(SECRET.encode(), ts[0].encode() + b"." + body,
                    hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(want, s) for s in sigs)
state = {"count": 0, "seen": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        matches = MODE and (TEXT.encode("utf-8") in body
                            or TEXT in self.path)
        with lock:
            state["seen"] += 1
            if state["seen"] <= FAIL or (MODE == "fail" and matches):
                self.send_response(503 if state["seen"] <= FAIL else 500)
                self.end_headers()
                return
            state["count"] += 1
            base = os.path.join(OUT, "hook-%d" % state["count"])
        record = {
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        if SECRET is not None:
            record["verified"] = verified(
                self.headers.get("Rapport-Signature"), body)
        with open(base + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(base + ".tmp", base + ".json")
        if MODE == "hang" and matches:
            time.sleep(60)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok":true}')

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    print("listening %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
