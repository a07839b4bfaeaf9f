"""Test key pairs and self-signed certificates for the virtual UKey. TEST KEYS ONLY.

Keys are generated when asked (tests make theirs at run time); none is committed.
SM2 through gmssl, used safely: the private key comes from ``secrets``, the public
key is set as the 128-hex ``x||y`` directly, and every signature's nonce comes from
``secrets`` (gmssl's default uses ``random``). P-256 through ``cryptography``.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from gmssl import sm2

from plugins.ukey_login import der
from plugins.ukey_login.crypto import OID_EC_PUBLIC_KEY, OID_SM2, SM2_N

OID_SM2_WITH_SM3 = "1.2.156.10197.1.501"


@dataclass(frozen=True)
class TestKey:
    """A UKey's key pair and certificate (DER). For development and tests only."""

    algorithm: str  # "sm2" | "p256"
    private: int
    point: bytes  # 04 || x || y
    certificate: bytes

    def sign(self, message: bytes) -> bytes:
        if self.algorithm == "sm2":
            return sm2_sign(self.private, self.point, message)
        key = ec.derive_private_key(self.private, ec.SECP256R1())
        return key.sign(message, ec.ECDSA(hashes.SHA256()))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"test_key": True, "algorithm": self.algorithm,
                                    "private": f"{self.private:064x}", "point": self.point.hex(),
                                    "certificate": self.certificate.hex()}), encoding="utf-8")
        path.chmod(0o600)

    @classmethod
    def load(cls, path: Path) -> TestKey:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["algorithm"], int(data["private"], 16), bytes.fromhex(data["point"]),
                   bytes.fromhex(data["certificate"]))

    @property
    def certificate_pem(self) -> str:
        return x509.load_der_x509_certificate(self.certificate).public_bytes(serialization.Encoding.PEM).decode() \
            if self.algorithm == "p256" else _pem(self.certificate)


def generate(algorithm: str, subject: str = "测试单位UKey") -> TestKey:
    if algorithm == "sm2":
        return _generate_sm2(subject)
    if algorithm == "p256":
        return _generate_p256(subject)
    raise ValueError(f"unknown algorithm {algorithm!r}: sm2 or p256")


def _sm2(private: int | None, point: bytes | None) -> sm2.CryptSM2:
    crypt = sm2.CryptSM2(private_key="" if private is None else f"{private:064x}", public_key="")
    if point is not None:
        crypt.public_key = point[1:].hex()  # 128-hex x||y, set directly (never lstrip("04"))
    return crypt


def sm2_public_point(private: int) -> bytes:
    xy = _sm2(private, None)._kg(private, sm2.default_ecc_table["g"])
    return b"\x04" + bytes.fromhex(xy)


def sm2_sign(private: int, point: bytes, message: bytes) -> bytes:
    """SM2 with SM3 (Z with the default ID 1234567812345678), r||s, nonce from secrets."""
    crypt = _sm2(private, point)
    while True:
        nonce = secrets.randbelow(SM2_N - 1) + 1
        signature = crypt.sign_with_sm3(message, f"{nonce:064x}")
        if signature:
            return bytes.fromhex(signature)


def _generate_sm2(subject: str) -> TestKey:
    private = secrets.randbelow(SM2_N - 2) + 1  # d in [1, n-2]: (1+d) must be invertible
    point = sm2_public_point(private)
    now = datetime.now(UTC)
    name = der.sequence(der.tlv(der.SET, der.sequence(der.oid("2.5.4.3"), der.utf8(subject))))
    algorithm = der.sequence(der.oid(OID_SM2_WITH_SM3))
    tbs = der.sequence(
        der.explicit(0, der.integer(2)),
        der.integer(secrets.randbits(63)),
        algorithm,
        name,
        der.sequence(der.generalized_time(now - timedelta(days=1)), der.generalized_time(now + timedelta(days=365))),
        name,
        der.sequence(der.sequence(der.oid(OID_EC_PUBLIC_KEY), der.oid(OID_SM2)), der.bit_string(point)),
    )
    raw = sm2_sign(private, point, tbs)
    signature = der.sequence(der.integer(int.from_bytes(raw[:32], "big")), der.integer(int.from_bytes(raw[32:], "big")))
    return TestKey("sm2", private, point, der.sequence(tbs, algorithm, der.bit_string(signature)))


def _generate_p256(subject: str) -> TestKey:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256()))
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return TestKey("p256", key.private_numbers().private_value, point,
                   certificate.public_bytes(serialization.Encoding.DER))


def _pem(data: bytes) -> str:
    import base64

    body = base64.b64encode(data).decode("ascii")
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) \
        + "\n-----END CERTIFICATE-----\n"
