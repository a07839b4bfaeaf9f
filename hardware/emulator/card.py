"""The virtual UKey: a vsmartcard ``SmartcardOS`` that speaks ``hardware.ukey.apdu``,
and the vpicc connection that plugs it into vpcd (pcscd's virtual reader).

Debian's vsmartcard-vpicc installs the ``virtualsmartcard`` package under
/usr/lib/python3/site-packages/virtualsmartcard, outside any virtualenv: that folder
goes on ``sys.path`` (and it imports pycryptodome as ``Crypto``).
"""
from __future__ import annotations

import logging
import socket
import sys
import time

from hardware.emulator.keys import TestKey
from hardware.ukey import apdu

VSMARTCARD_PATH = "/usr/lib/python3/site-packages/virtualsmartcard"
if VSMARTCARD_PATH not in sys.path:
    sys.path.append(VSMARTCARD_PATH)

from virtualsmartcard.utils import C_APDU, R_APDU
from virtualsmartcard.VirtualSmartcard import Iso7816OS, SmartcardOS, VirtualICC

VPCD_HOST, VPCD_PORT = "127.0.0.1", 35963
log = logging.getLogger("opengjj.ukey.emulator")


class UKeyOS(SmartcardOS):
    """A UKey holding one key pair and its certificate, behind a PIN with a try counter."""

    def __init__(self, key: TestKey, pin: str, tries: int = 5):
        self.key, self.pin, self.max_tries = key, pin.encode("utf-8"), tries
        self.tries = tries
        self.atr = Iso7816OS.makeATR(T=1, directConvention=True, TA1=0x13, histChars=b"OpenGJJ")
        self.reset()

    def getATR(self) -> bytes:
        return self.atr

    def powerUp(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.selected = self.verified = self.certificate_selected = False

    def execute(self, msg: bytes) -> bytes:
        try:
            c = C_APDU(msg)
        except ValueError:
            return self._answer(apdu.WRONG_LENGTH)
        if c.cla != 0x00:
            return self._answer(apdu.CLA_NOT_SUPPORTED)
        handler = {apdu.SELECT: self._select, apdu.VERIFY: self._verify, apdu.READ_BINARY: self._read,
                   apdu.GET_DATA: self._get_data, apdu.PSO: self._sign}.get(c.ins)
        if handler is None:
            return self._answer(apdu.INS_NOT_SUPPORTED)
        if c.ins != apdu.SELECT and not self.selected:
            return self._answer(apdu.SECURITY_NOT_SATISFIED)
        sw, data = handler(c)
        return self._answer(sw, data)

    @staticmethod
    def _answer(sw: int, data: bytes = b"") -> bytes:
        return R_APDU(data, bytes([sw >> 8, sw & 0xFF])).render()

    def _select(self, c) -> tuple[int, bytes]:
        if c.p2 != apdu.NO_RESPONSE:
            return apdu.WRONG_P1P2, b""
        if c.p1 == apdu.SELECT_BY_NAME:
            if c.data != apdu.AID:
                return apdu.NOT_FOUND, b""
            self.selected, self.verified, self.certificate_selected = True, False, False
            return apdu.OK, b""
        if c.p1 == apdu.SELECT_EF and self.selected:
            if c.data != apdu.CERTIFICATE_FILE:
                return apdu.NOT_FOUND, b""
            self.certificate_selected = True
            return apdu.OK, b""
        return apdu.WRONG_P1P2, b""

    def _verify(self, c) -> tuple[int, bytes]:
        if c.p1 != 0x00 or c.p2 != apdu.PIN_REFERENCE:
            return apdu.WRONG_P1P2, b""
        if self.tries == 0:
            return apdu.PIN_BLOCKED, b""
        if not c.data:  # ask for the counter
            return (apdu.OK if self.verified else 0x63C0 | self.tries), b""
        if secrets_equal(c.data, self.pin):
            self.tries, self.verified = self.max_tries, True
            return apdu.OK, b""
        self.tries -= 1
        self.verified = False
        return (0x63C0 | self.tries) if self.tries else apdu.PIN_BLOCKED, b""

    def _read(self, c) -> tuple[int, bytes]:
        if not self.certificate_selected:
            return 0x6986, b""  # no current EF
        offset, content = (c.p1 << 8) | c.p2, self.key.certificate
        if offset > len(content):
            return apdu.OFFSET_OUTSIDE, b""
        want = c.effective_Le if c.effective_Le is not None else 256
        data = content[offset:offset + want]
        return (apdu.OK if len(data) == want else apdu.END_OF_FILE), data

    def _get_data(self, c) -> tuple[int, bytes]:
        if (c.p1, c.p2) != apdu.ALGORITHM_TAG:
            return 0x6A88, b""  # referenced data not found
        return apdu.OK, self.key.algorithm.encode("ascii")

    def _sign(self, c) -> tuple[int, bytes]:
        if (c.p1, c.p2) != apdu.CDS:
            return apdu.WRONG_P1P2, b""
        if not self.verified:
            return apdu.SECURITY_NOT_SATISFIED, b""
        if not c.data:
            return apdu.WRONG_LENGTH, b""
        return apdu.OK, self.key.sign(bytes(c.data))


def secrets_equal(a: bytes, b: bytes) -> bool:
    import hmac

    return hmac.compare_digest(bytes(a), bytes(b))


class _QuickAck:
    """The vpcd socket, with TCP_QUICKACK set before every read.

    Linux leaves quick-ack mode on its own, so setting it once is not enough; without it
    every APDU waits ~40 ms for a delayed ACK (vpcd writes the length and the body apart).
    """

    def __init__(self, sock: socket.socket):
        self.sock = sock
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def recv(self, size: int) -> bytes:
        if hasattr(socket, "TCP_QUICKACK"):
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return self.sock.recv(size)

    def sendall(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self.sock.close()


class UKeyICC(VirtualICC):
    """vsmartcard's vpicc loop (``VirtualICC.run``) driving a :class:`UKeyOS`."""

    def __init__(self, os_: UKeyOS, host: str = VPCD_HOST, port: int = VPCD_PORT, wait: float = 10.0):
        # VirtualICC.__init__ builds one of its stock cards; this card is ours.
        self.os, self.type, self.host, self.port, self.server_sock = os_, "opengjj-ukey", host, port, None
        self.sock = _QuickAck(self._connect(host, port, wait))

    @staticmethod
    def _connect(host: str, port: int, wait: float) -> socket.socket:
        deadline = time.monotonic() + wait
        while True:
            try:
                sock = socket.create_connection((host, port), timeout=2)
                sock.settimeout(None)
                return sock
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
