"""The UKey through PC/SC (pyscard): list readers, connect, select, verify the PIN,
read the certificate, sign a challenge. See ``hardware.ukey.apdu`` for the APDUs.

Used by the local agent (``hardware.agent``) on the employer's PC; the hall never
imports it. Errors carry the Chinese message the login page shows and a short code.
"""
from __future__ import annotations

from dataclasses import dataclass

from hardware.ukey import apdu


class UKeyError(Exception):
    """Something the person at the PC must act on; ``str()`` is the message to show."""

    code = "card_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NoReader(UKeyError):
    """No PC/SC service, no reader, or no card in any reader."""

    code = "no_reader"

    def __init__(self, message: str = "未检测到UKey，请插入UKey后重试"):
        super().__init__(message)


class WrongPin(UKeyError):
    code = "wrong_pin"

    def __init__(self, tries_left: int):
        if tries_left == 0:
            super().__init__("UKey已锁定（PIN错误次数过多），请到中心柜面解锁")
            self.code = "pin_blocked"
        else:
            super().__init__(f"UKey密码（PIN）错误，还可尝试{tries_left}次")
        self.tries_left = tries_left


class CardError(UKeyError):
    """The card answered something other than what the application expects."""

    def __init__(self, what: str, sw: int | None = None):
        super().__init__("UKey读取失败，请重新插入UKey后重试")
        self.what, self.sw = what, sw

    def __str__(self) -> str:
        return f"{self.message} ({self.what}{'' if self.sw is None else f', SW {self.sw:04X}'})"


@dataclass(frozen=True)
class Signed:
    certificate: bytes  # DER
    signature: bytes
    algorithm: str  # "sm2" | "p256"


class UKeyClient:
    """One UKey in one PC/SC reader; ``reader`` picks a reader whose name contains it."""

    def __init__(self, reader: str | None = None):
        self.reader = reader
        self.connection = None

    @staticmethod
    def list_readers() -> list[str]:
        from smartcard.Exceptions import SmartcardException
        from smartcard.pcsc.PCSCExceptions import BaseSCardException
        from smartcard.System import readers

        try:
            return [str(r) for r in readers()]
        except (BaseSCardException, SmartcardException) as error:  # no PC/SC service
            raise NoReader("未检测到UKey读卡设备（智能卡服务未运行），请插入UKey后重试") from error

    def connect(self) -> None:
        """Connect to the first (chosen) reader that holds a card."""
        from smartcard.Exceptions import CardConnectionException, NoCardException
        from smartcard.System import readers

        self.list_readers()  # the PC/SC service answers
        candidates = [r for r in readers() if self.reader is None or self.reader in str(r)]
        if not candidates:
            raise NoReader("未检测到UKey读卡设备，请插入UKey后重试")
        for reader in candidates:
            connection = reader.createConnection()
            try:
                connection.connect()
            except (NoCardException, CardConnectionException):
                continue
            self.connection = connection
            return
        raise NoReader()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.disconnect()
            finally:
                self.connection = None

    def __enter__(self) -> UKeyClient:
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transmit(self, command: list[int]) -> tuple[bytes, int]:
        from smartcard.Exceptions import CardConnectionException

        if self.connection is None:
            raise CardError("not connected")
        try:
            data, sw1, sw2 = self.connection.transmit(command)
        except CardConnectionException as error:  # the card was pulled out mid-way
            raise NoReader() from error
        return bytes(data), (sw1 << 8) | sw2

    def _ok(self, command: list[int], what: str) -> bytes:
        data, sw = self.transmit(command)
        if sw != apdu.OK:
            raise CardError(what, sw)
        return data

    def select(self) -> None:
        """Select the UKey application (P2=0C: no FCI, which the stock vpicc cannot build)."""
        _, sw = self.transmit(apdu.command(apdu.SELECT, apdu.SELECT_BY_NAME, apdu.NO_RESPONSE, apdu.AID))
        if sw == apdu.NOT_FOUND:
            raise UKeyError("该卡不是住房公积金单位UKey，请插入中心发放的UKey")
        if sw != apdu.OK:
            raise CardError("select", sw)

    def pin_tries_left(self) -> int | None:
        _, sw = self.transmit(apdu.command(apdu.VERIFY, 0x00, apdu.PIN_REFERENCE))
        return apdu.tries_left(sw) if sw != apdu.PIN_BLOCKED else 0

    def verify_pin(self, pin: str) -> None:
        if not pin:
            raise UKeyError("请输入UKey密码（PIN）")
        _, sw = self.transmit(apdu.command(apdu.VERIFY, 0x00, apdu.PIN_REFERENCE, pin.encode("utf-8")))
        if sw == apdu.OK:
            return
        if sw == apdu.PIN_BLOCKED:
            raise WrongPin(0)
        left = apdu.tries_left(sw)
        if left is not None:
            raise WrongPin(left)
        raise CardError("verify", sw)

    def read_certificate(self) -> bytes:
        self._ok(apdu.command(apdu.SELECT, apdu.SELECT_EF, apdu.NO_RESPONSE, apdu.CERTIFICATE_FILE),
                 "select certificate")
        content = bytearray()
        while True:
            data, sw = self.transmit(apdu.command(apdu.READ_BINARY, len(content) >> 8, len(content) & 0xFF,
                                                  le=apdu.CHUNK))
            if sw not in (apdu.OK, apdu.END_OF_FILE, apdu.OFFSET_OUTSIDE):
                raise CardError("read certificate", sw)
            content += data
            if sw != apdu.OK or len(data) < apdu.CHUNK:
                break
        if not content:
            raise CardError("empty certificate")
        return bytes(content)

    def algorithm(self) -> str:
        data = self._ok(apdu.command(apdu.GET_DATA, *apdu.ALGORITHM_TAG, le=0), "get algorithm")
        return data.decode("ascii")

    def sign(self, challenge: bytes) -> bytes:
        data, sw = self.transmit(apdu.command(apdu.PSO, *apdu.CDS, challenge, le=0))
        if sw == apdu.SECURITY_NOT_SATISFIED:
            raise UKeyError("请先输入UKey密码（PIN）")
        if sw != apdu.OK:
            raise CardError("sign", sw)
        return data


def sign_challenge(challenge: str, pin: str, reader: str | None = None) -> Signed:
    """The whole exchange for one login: connect, select, PIN, certificate, signature."""
    with UKeyClient(reader) as card:
        card.select()
        card.verify_pin(pin)
        certificate = card.read_certificate()
        algorithm = card.algorithm()
        signature = card.sign(challenge.encode("utf-8"))
    return Signed(certificate, signature, algorithm)
