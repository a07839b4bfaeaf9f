"""UKey keys and signatures: SM2 with SM3 (gmssl) and ECDSA P-256 with SHA-256 (cryptography).

gmssl is used the safe way: the public key is set as the 128-hex ``x||y`` directly on
the object (its constructor's ``lstrip("04")`` corrupts keys whose x starts with 04),
and r, s and the point are range-checked here, since gmssl checks neither.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from gmssl import sm2

from plugins.ukey_login import der

OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_P256 = "1.2.840.10045.3.1.7"
OID_SM2 = "1.2.156.10197.1.301"
CURVES = {OID_P256: "p256", OID_SM2: "sm2"}
ALGORITHM_TITLES = {"sm2": "SM2（SM3）", "p256": "ECDSA P-256（SHA-256）"}

SM2_P = int(sm2.default_ecc_table["p"], 16)
SM2_A = int(sm2.default_ecc_table["a"], 16)
SM2_B = int(sm2.default_ecc_table["b"], 16)
SM2_N = int(sm2.default_ecc_table["n"], 16)

_PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----", re.DOTALL)


class CertificateRefused(ValueError):
    """Material that is not a usable UKey certificate or public key; the message is Chinese."""


@dataclass(frozen=True)
class UKeyPublicKey:
    """What the hall keeps of a UKey: its algorithm, its point, and the certificate facts."""

    algorithm: str  # "sm2" | "p256"
    point: bytes  # 04 || x || y
    der: bytes  # the certificate, or the SubjectPublicKeyInfo
    kind: str  # "CERTIFICATE" | "PUBLIC KEY"
    subject: str | None = None
    not_after: datetime | None = None

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.algorithm.encode("ascii") + b":" + self.point).hexdigest()

    @property
    def pem(self) -> str:
        body = base64.encodebytes(self.der).decode("ascii").replace("\n", "")
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        return "\n".join([f"-----BEGIN {self.kind}-----", *lines, f"-----END {self.kind}-----"]) + "\n"


def load(material: str | bytes) -> UKeyPublicKey:
    """A certificate or public key: PEM, base64 of DER, or DER bytes."""
    try:
        if isinstance(material, bytes) and material[:1] == b"\x30":
            return _from_der(material)
        text = material.decode("ascii") if isinstance(material, bytes) else material
        match = _PEM.search(text)
        if match:
            return _from_der(base64.b64decode("".join(match.group(2).split()), validate=True))
        return _from_der(base64.b64decode("".join(text.split()), validate=True))
    except (der.DerError, binascii.Error, UnicodeError, ValueError) as error:
        if isinstance(error, CertificateRefused):
            raise
        raise CertificateRefused("无法识别的证书：请提供PEM格式的X.509证书或公钥") from error


def _from_der(data: bytes) -> UKeyPublicKey:
    tag, body, end = der.read(data)
    if tag != der.SEQUENCE or end != len(data):
        raise der.DerError("not one SEQUENCE")
    parts = der.items(body)
    if len(parts) == 2 and parts[1][0] == der.BIT_STRING:  # SubjectPublicKeyInfo
        algorithm, point = _spki(body)
        return UKeyPublicKey(algorithm, point, data, "PUBLIC KEY")
    tbs = der.items(der.expect(der.SEQUENCE, parts[0]))
    if tbs and tbs[0][0] == 0xA0:  # [0] version
        tbs = tbs[1:]
    _serial, _signature, _issuer, validity, subject, spki = tbs[:6]
    algorithm, point = _spki(der.expect(der.SEQUENCE, spki))
    times = der.items(der.expect(der.SEQUENCE, validity))
    return UKeyPublicKey(algorithm, point, data, "CERTIFICATE", subject=_name(subject[1]),
                         not_after=der.decode_time(*times[1]))


def _spki(body: bytes) -> tuple[str, bytes]:
    algorithm_id, key = der.items(body)
    oids = [der.decode_oid(v) for t, v in der.items(der.expect(der.SEQUENCE, algorithm_id)) if t == der.OID]
    curve = next((CURVES[o] for o in oids if o in CURVES), None)
    if curve is None:
        raise CertificateRefused("不支持的密钥算法：UKey须使用SM2或ECDSA P-256密钥")
    bits = der.expect(der.BIT_STRING, key)
    point = bits[1:]
    if bits[:1] != b"\x00" or len(point) != 65 or point[0] != 4:
        raise CertificateRefused("公钥格式错误：须为未压缩的椭圆曲线点")
    _check_point(curve, point)
    return curve, point


def _check_point(algorithm: str, point: bytes) -> None:
    if algorithm == "p256":
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError:
            raise CertificateRefused("公钥不在P-256曲线上") from None
        return
    x, y = int.from_bytes(point[1:33], "big"), int.from_bytes(point[33:], "big")
    if not (x < SM2_P and y < SM2_P and (y * y - x * x * x - SM2_A * x - SM2_B) % SM2_P == 0):
        raise CertificateRefused("公钥不在SM2曲线上")


NAME_KEYS = {"2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.6": "C", "2.5.4.5": "SERIALNUMBER"}


def _name(value: bytes) -> str:
    parts = []
    for _, rdn in der.items(value):
        for _, attribute in der.items(rdn):
            (_, key), (_, text) = der.items(attribute)[:2]
            label = NAME_KEYS.get(der.decode_oid(key))
            if label:
                parts.append(f"{label}={text.decode('utf-8', 'replace')}")
    return ",".join(parts)


def verify(algorithm: str, point: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the key's signature of ``message`` (never raises)."""
    try:
        if algorithm == "sm2":
            return _verify_sm2(point, message, _raw_signature(signature))
        if algorithm == "p256":
            if len(signature) == 64:
                signature = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                                 int.from_bytes(signature[32:], "big"))
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            return True
    except (InvalidSignature, ValueError, OverflowError):
        return False
    return False


def _raw_signature(signature: bytes) -> bytes:
    """r||s, 64 bytes, from raw or DER (SEQUENCE of two INTEGERs) form."""
    if len(signature) == 64:
        return signature
    tag, body, _ = der.read(signature)
    r, s = (int.from_bytes(der.expect(der.INTEGER, item), "big") for item in der.items(der.expect(der.SEQUENCE, (tag, body))))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _verify_sm2(point: bytes, message: bytes, signature: bytes) -> bool:
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (1 <= r < SM2_N and 1 <= s < SM2_N):
        return False
    crypt = sm2.CryptSM2(private_key="", public_key="")
    crypt.public_key = point[1:].hex()  # x||y set directly: never through lstrip("04")
    try:
        return bool(crypt.verify_with_sm3(signature.hex(), message))
    except (TypeError, ValueError):  # a point at infinity along the way
        return False
