#!/usr/bin/env python3
"""A minimal stand-in for Telegram's Bot API, for CI to start the demo against
(TELOXIDE_API_URL): getMe answers with a bot, getUpdates holds briefly and returns no
updates, every other method succeeds. The product's own tests use the strict fake in
tests/app/support; this one only lets the binary start. Usage: fake-bot-api.py PORT"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        method = self.path.rsplit("/", 1)[-1].split("?")[0].lower()
        if method == "getme":
            result = {"id": 4242, "is_bot": True, "first_name": "Demo", "username": "demo_bot",
                      "can_join_groups": True, "can_read_all_group_messages": False,
                      "supports_inline_queries": False, "can_connect_to_business": False,
                      "has_main_web_app": False}
        elif method == "getupdates":
            time.sleep(0.5)
            result = []
        else:
            result = True
        body = json.dumps({"ok": True, "result": result}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot stopped while a long poll was held

    do_GET = answer
    do_POST = answer

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
