#!/usr/bin/env python3
"""smtp_sink.py - a tiny real SMTP server for the tests (standard library only).

Listens on 127.0.0.1 (port 0 picks a free one), prints "listening PORT" on
stdout once ready, and stores every message it receives as DIR/msg-N.eml
(the DATA exactly as received, dot-stuffing undone) with DIR/msg-N.json
holding the envelope ({"mail_from", "rcpt_to"}).  It speaks enough of
RFC 5321 for libcurl: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
Python's smtpd module is gone from recent Pythons, hence this.

usage: smtp_sink.py DIR [PORT]
"""
import asyncio
import json
import os
import sys

OUT = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 0
count = 0


async def session(reader, writer):
    global count

    def send(line):
        writer.write((line + "\r\n").encode())

    send("220 smtp-sink ready")
    mail_from, rcpt = None, []
    try:
        while True:
            raw = await reader.readline()
            if not raw:
                break
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                send("250-smtp-sink" if verb == "EHLO" else "250 smtp-sink")
                if verb == "EHLO":
                    send("250 8BITMIME")
            elif verb == "MAIL":
                mail_from, rcpt = line[10:].strip(), []
                send("250 OK")
            elif verb == "RCPT":
                rcpt.append(line[8:].strip())
                send("250 OK")
            elif verb == "DATA":
                send("354 end with <CRLF>.<CRLF>")
                await writer.drain()
                lines = []
                while True:
                    d = await reader.readline()
                    if not d or d in (b".\r\n", b".\n"):
                        break
                    if d.startswith(b".."):
                        d = d[1:]
                    lines.append(d)
                count += 1
                base = os.path.join(OUT, "msg-%d" % count)
                with open(base + ".tmp", "wb") as f:
                    f.write(b"".join(lines))
                with open(base + ".json", "w") as f:
                    json.dump({"mail_from": mail_from, "rcpt_to": rcpt}, f)
                os.rename(base + ".tmp", base + ".eml")
                send("250 OK stored as msg-%d" % count)
            elif verb == "RSET":
                mail_from, rcpt = None, []
                send("250 OK")
            elif verb == "NOOP":
                send("250 OK")
            elif verb == "QUIT":
                send("221 bye")
                await writer.drain()
                break
            else:
                send("502 command not implemented")
            await writer.drain()
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", PORT)
    port = server.sockets[0].getsockname()[1]
    print("listening %d" % port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
