"""The UKey agent: a small HTTP service on 127.0.0.1 that the hall's login page calls to
reach the card (browsers cannot talk PC/SC).

    gjj-agent --origin https://hall.example-gjj.gov.cn [--port 17171] [--reader NAME]
              [--camera opencv:0 | still:/path/page.jpg]

    GET  /status  -> {"agent": "opengjj-ukey", "readers": [...], "camera": true|false}
    POST /sign    {"challenge": "...", "pin": "..."}
                  -> {"certificate": b64 DER, "signature": b64, "algorithm": "sm2"|"p256"}
                  or {"error": code, "message": 中文, "tries_left": n}
    POST /camera/capture -> the JPEG of the document camera (高拍仪, hardware.camera)
                  or {"error": code, "message": 中文}

It answers only the hall's origin(s): a request from any other page gets 403 and no
CORS headers, so a foreign web site can neither use the card nor read the answer. The
Host header must name the loopback address (no DNS rebinding).
"""
from __future__ import annotations

import argparse
import base64
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_PORT = 17171
MAX_BODY = 4096
log = logging.getLogger("opengjj.agent")


class AgentServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, origins: list[str], port: int = DEFAULT_PORT, reader: str | None = None,
                 camera=None):
        self.origins = frozenset(o.rstrip("/") for o in origins)
        if not self.origins:
            raise ValueError("the agent needs the hall's origin (--origin)")
        self.reader = reader
        self.camera = camera  # a hardware.camera.Camera, or None
        self.card_lock = threading.Lock()  # one exchange with the card at a time
        super().__init__(("127.0.0.1", port), AgentHandler)

    @property
    def port(self) -> int:
        return self.server_address[1]


class AgentHandler(BaseHTTPRequestHandler):
    server: AgentServer
    server_version = "opengjj-ukey-agent/1"

    def log_message(self, format: str, *args) -> None:
        log.info("%s " + format, self.address_string(), *args)

    # --- gatekeeping -------------------------------------------------------------------

    def _allowed_origin(self) -> str | None:
        host = (self.headers.get("Host") or "").lower()
        if host not in {f"127.0.0.1:{self.server.port}", f"localhost:{self.server.port}"}:
            return None
        origin = (self.headers.get("Origin") or "").rstrip("/")
        return origin if origin in self.server.origins else None

    def _send_jpeg(self, image: bytes, origin: str) -> None:
        self.send_response(200)
        self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Vary", "Origin")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(image)))
        self.end_headers()
        self.wfile.write(image)

    def _send(self, status: int, body: dict | None, origin: str | None) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else b""
        self.send_response(status)
        if origin is not None:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        self.send_header("Cache-Control", "no-store")
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _refuse(self) -> None:
        self._send(403, {"error": "origin", "message": "UKey助手拒绝了该网站的请求"}, None)

    # --- methods -----------------------------------------------------------------------

    def do_OPTIONS(self) -> None:  # CORS preflight
        origin = self._allowed_origin()
        if origin is None:
            return self._refuse()
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Vary", "Origin")
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        if self.headers.get("Access-Control-Request-Private-Network") == "true":
            self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        origin = self._allowed_origin()
        if origin is None:
            return self._refuse()
        if self.path != "/status":
            return self._send(404, {"error": "not_found", "message": "未知的请求"}, origin)
        from hardware.ukey import UKeyClient, UKeyError

        try:
            readers = UKeyClient.list_readers()
        except UKeyError as error:
            return self._send(200, {"agent": "opengjj-ukey", "readers": [], "error": error.code,
                                    "message": error.message, "camera": self.server.camera is not None}, origin)
        self._send(200, {"agent": "opengjj-ukey", "readers": readers, "camera": self.server.camera is not None},
                   origin)

    def do_POST(self) -> None:
        origin = self._allowed_origin()
        if origin is None:
            return self._refuse()
        if self.path == "/camera/capture":
            return self._capture(origin)
        if self.path != "/sign":
            return self._send(404, {"error": "not_found", "message": "未知的请求"}, origin)
        request = self._json()
        if request is None:
            return self._send(400, {"error": "bad_request", "message": "请求格式错误"}, origin)
        status, body = sign(request.get("challenge"), request.get("pin"), self.server)
        self._send(status, body, origin)

    def _capture(self, origin: str) -> None:
        from hardware.camera import CameraError

        if self.server.camera is None:
            return self._send(503, {"error": "no_camera", "message": "UKey助手未配置高拍仪（--camera）"}, origin)
        try:
            image = self.server.camera.capture()
        except CameraError as error:
            return self._send(503, {"error": "camera", "message": error.message}, origin)
        self._send_jpeg(image, origin)

    def _json(self) -> dict | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY:
            return None
        try:
            data = json.loads(self.rfile.read(length))
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


def sign(challenge, pin, server: AgentServer) -> tuple[int, dict]:
    """The card's answer to one challenge, as (HTTP status, JSON body)."""
    from hardware.ukey import NoReader, UKeyError, WrongPin, sign_challenge

    if not isinstance(challenge, str) or not 0 < len(challenge.encode("utf-8")) <= 200:
        return 400, {"error": "bad_request", "message": "登录请求无效，请刷新页面后重试"}
    if not isinstance(pin, str) or not pin:
        return 400, {"error": "no_pin", "message": "请输入UKey密码（PIN）"}
    try:
        with server.card_lock:
            signed = sign_challenge(challenge, pin, server.reader)
    except WrongPin as error:
        return 422, {"error": error.code, "message": error.message, "tries_left": error.tries_left}
    except NoReader as error:
        return 503, {"error": error.code, "message": error.message}
    except UKeyError as error:
        log.warning("card error: %s", error)
        return 502, {"error": error.code, "message": error.message}
    return 200, {"certificate": base64.b64encode(signed.certificate).decode("ascii"),
                 "signature": base64.b64encode(signed.signature).decode("ascii"),
                 "algorithm": signed.algorithm}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gjj-agent", description="UKey agent for the housing fund hall (127.0.0.1 only)")
    parser.add_argument("--origin", action="append", required=True,
                        help="the hall's origin, e.g. https://hall.example.gov.cn (repeatable)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--reader", help="use only the reader whose name contains this")
    parser.add_argument("--camera", help="the document camera: opencv:<index> or still:<image path>")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s [%(levelname)s] %(message)s")
    from hardware.camera import open_camera

    server = AgentServer(args.origin, args.port, args.reader, open_camera(args.camera) if args.camera else None)
    print(f"UKey agent on http://127.0.0.1:{server.port} for {', '.join(sorted(server.origins))}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
