"""Just enough DER (X.690) to read and write the certificates of UKeys.

``cryptography`` cannot parse an SM2 public key, so certificates are read here: the
subject, the validity and the SubjectPublicKeyInfo; the emulator builds its SM2 test
certificate with the writers.
"""
from __future__ import annotations

from datetime import UTC, datetime

SEQUENCE, SET, INTEGER, BIT_STRING, OCTET_STRING, NULL, OID = 0x30, 0x31, 0x02, 0x03, 0x04, 0x05, 0x06
UTF8_STRING, PRINTABLE_STRING, UTC_TIME, GENERALIZED_TIME = 0x0C, 0x13, 0x17, 0x18


class DerError(ValueError):
    """Bytes that are not the DER expected."""


def read(data: bytes, pos: int = 0) -> tuple[int, bytes, int]:
    """The tag, the value and the position after one TLV at ``pos``."""
    if pos + 2 > len(data):
        raise DerError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or pos + count > len(data):
            raise DerError("bad DER length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise DerError("truncated DER")
    return tag, data[pos:pos + length], pos + length


def items(data: bytes) -> list[tuple[int, bytes]]:
    """The TLVs that make up ``data`` (the contents of a SEQUENCE or SET)."""
    found, pos = [], 0
    while pos < len(data):
        tag, value, pos = read(data, pos)
        found.append((tag, value))
    return found


def expect(tag: int, item: tuple[int, bytes]) -> bytes:
    if item[0] != tag:
        raise DerError(f"expected tag {tag:#x}, found {item[0]:#x}")
    return item[1]


def decode_oid(value: bytes) -> str:
    parts, number = [], 0
    for byte in value:
        number = (number << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(number)
            number = 0
    if not parts:
        raise DerError("empty OID")
    first = parts[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(p) for p in head + parts[1:])


def decode_time(tag: int, value: bytes) -> datetime:
    text = value.decode("ascii")
    if tag == UTC_TIME:
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif tag != GENERALIZED_TIME:
        raise DerError("expected a time")
    return datetime.strptime(text.rstrip("Z")[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)


# --- writers ---------------------------------------------------------------------------

def tlv(tag: int, value: bytes) -> bytes:
    length = len(value)
    if length < 0x80:
        return bytes([tag, length]) + value
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + value


def sequence(*parts: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(parts))


def integer(number: int) -> bytes:
    return tlv(INTEGER, number.to_bytes(number.bit_length() // 8 + 1, "big", signed=True))


def oid(dotted: str) -> bytes:
    numbers = [int(n) for n in dotted.split(".")]
    body = bytearray()
    for number in [40 * numbers[0] + numbers[1]] + numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body.extend(reversed(chunk))
    return tlv(OID, bytes(body))


def bit_string(data: bytes) -> bytes:
    return tlv(BIT_STRING, b"\x00" + data)


def utf8(text: str) -> bytes:
    return tlv(UTF8_STRING, text.encode("utf-8"))


def generalized_time(moment: datetime) -> bytes:
    return tlv(GENERALIZED_TIME, moment.astimezone(UTC).strftime("%Y%m%d%H%M%SZ").encode("ascii"))


def explicit(number: int, inner: bytes) -> bytes:
    return tlv(0xA0 | number, inner)
