"""A local SMTP sink for NotifierTests, standard library only.

usage: python3 smtp_sink.py FOLDER

Binds 127.0.0.1 on a free port, prints the port on the first line of stdout, and writes each
message received to FOLDER/message-N.json as {"mail_from", "rcpt_to", "auth_user", "data"}
("data" with the SMTP dot-stuffing undone). Accepts any AUTH PLAIN or LOGIN; the password is
never stored. Runs until killed.
"""

import base64
import json
import os
import socketserver
import sys
import threading

FOLDER = sys.argv[1]
counter_lock = threading.Lock()
counter = [0]


def store(message):
    with counter_lock:
        counter[0] += 1
        number = counter[0]
    path = os.path.join(FOLDER, f"message-{number}.json")
    # Written whole, then renamed: the test never reads half a file.
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(message, handle)
    os.rename(path + ".tmp", path)


def b64(text):
    return base64.b64decode(text.strip()).decode("utf-8", "replace")


class Session(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())
        self.wfile.flush()

    def line(self):
        raw = self.rfile.readline()
        if not raw:
            raise EOFError
        return raw.decode("utf-8", "replace").rstrip("\r\n")

    def handle(self):
        envelope = {"mail_from": None, "rcpt_to": [], "auth_user": None}
        self.reply("220 127.0.0.1 tbot SMTP sink")
        try:
            while True:
                command = self.line()
                verb = command.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.wfile.write(b"250-127.0.0.1\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n")
                    self.wfile.flush()
                elif verb == "HELO":
                    self.reply("250 127.0.0.1")
                elif verb == "AUTH":
                    parts = command.split()
                    mechanism = parts[1].upper() if len(parts) > 1 else ""
                    if mechanism == "PLAIN":
                        token = parts[2] if len(parts) > 2 else None
                        if token is None:
                            self.reply("334 ")
                            token = self.line()
                        envelope["auth_user"] = b64(token).split("\0")[1]
                    elif mechanism == "LOGIN":
                        if len(parts) > 2:
                            envelope["auth_user"] = b64(parts[2])
                        else:
                            self.reply("334 VXNlcm5hbWU6")
                            envelope["auth_user"] = b64(self.line())
                        self.reply("334 UGFzc3dvcmQ6")
                        self.line()
                    else:
                        self.reply("504 unsupported mechanism")
                        continue
                    self.reply("235 authenticated")
                elif verb == "MAIL":
                    envelope["mail_from"] = command.split(":", 1)[1].split()[0].strip("<>")
                    envelope["rcpt_to"] = []
                    self.reply("250 ok")
                elif verb == "RCPT":
                    envelope["rcpt_to"].append(command.split(":", 1)[1].split()[0].strip("<>"))
                    self.reply("250 ok")
                elif verb == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    lines = []
                    while True:
                        text = self.line()
                        if text == ".":
                            break
                        lines.append(text[1:] if text.startswith(".") else text)
                    store(dict(envelope, data="\r\n".join(lines) + "\r\n"))
                    self.reply("250 stored")
                elif verb in ("RSET", "NOOP"):
                    self.reply("250 ok")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("502 not implemented")
        except (EOFError, ConnectionError):
            return


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Session)
    print(server.server_address[1], flush=True)
    server.serve_forever()
