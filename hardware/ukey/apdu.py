"""The UKey application's APDUs (ISO 7816-4), shared by the client and the emulator.

    SELECT application   00 A4 04 0C 09 F0 4F 50 45 4E 47 4A 4A 01     (P2=0C: no FCI)
    SELECT certificate   00 A4 02 0C 02 C0 01
    READ BINARY          00 B0 <offset hi> <offset lo> <Le>
    GET DATA algorithm   00 CA 01 01 00                                 -> "sm2" | "p256"
    VERIFY PIN           00 20 00 81 <Lc> <PIN, ASCII>                  (no data: tries left)
    PSO: COMPUTE DIGITAL SIGNATURE
                         00 2A 9E 9A <Lc> <message> 00                  -> signature

The card hashes the message itself: SM3 over Z||M for SM2 (signature r||s, 64 bytes),
SHA-256 for ECDSA P-256 (signature DER). Status words: 9000 ok; 6282 end of file
before Le bytes; 63Cx wrong PIN, x tries left; 6983 PIN blocked; 6982 PIN not verified;
6A82 not found; 6B00 offset past the end; 6700 wrong length; 6D00 unknown instruction.
"""
from __future__ import annotations

AID = bytes.fromhex("F04F50454E474A4A01")  # F0 + "OPENGJJ" + 01: a proprietary AID
CERTIFICATE_FILE = bytes.fromhex("C001")
PIN_REFERENCE = 0x81
CHUNK = 0xE0  # READ BINARY block size

SELECT, READ_BINARY, GET_DATA, VERIFY, PSO = 0xA4, 0xB0, 0xCA, 0x20, 0x2A
SELECT_BY_NAME, SELECT_EF, NO_RESPONSE = 0x04, 0x02, 0x0C
ALGORITHM_TAG = (0x01, 0x01)
CDS = (0x9E, 0x9A)

OK = 0x9000
END_OF_FILE = 0x6282
SECURITY_NOT_SATISFIED = 0x6982
PIN_BLOCKED = 0x6983
NOT_FOUND = 0x6A82
WRONG_P1P2 = 0x6A86
OFFSET_OUTSIDE = 0x6B00
WRONG_LENGTH = 0x6700
INS_NOT_SUPPORTED = 0x6D00
CLA_NOT_SUPPORTED = 0x6E00


def command(ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> list[int]:
    """A short command APDU as pyscard takes it."""
    apdu = [0x00, ins, p1, p2]
    if data:
        if len(data) > 255:
            raise ValueError("data longer than a short APDU allows")
        apdu += [len(data), *data]
    if le is not None:
        apdu.append(le & 0xFF)  # 0 means 256
    return apdu


def tries_left(sw: int) -> int | None:
    """The x of 63Cx, or None when the status word is not a PIN counter."""
    return sw & 0x0F if sw & 0xFFF0 == 0x63C0 else None
