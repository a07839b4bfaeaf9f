"""A virtual UKey for development and tests: vsmartcard's vpicc with a test key.

    python -m hardware.emulator generate sm2 key.json      # a fresh TEST key and certificate
    python -m hardware.emulator run key.json --pin 123456  # insert the card into vpcd

``run`` connects to vpcd (pcscd's virtual reader, 127.0.0.1:35963 by default) and
serves APDUs until it is stopped: a stopped emulator is a pulled-out card.
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hardware.emulator", description="virtual UKey (TEST keys only)")
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write a new test key and certificate")
    generate.add_argument("algorithm", choices=("sm2", "p256"))
    generate.add_argument("path", type=Path)
    generate.add_argument("--subject", default="测试单位UKey")
    generate.add_argument("--pem", type=Path, help="also write the certificate as PEM here")
    run = commands.add_parser("run", help="insert the virtual card into vpcd")
    run.add_argument("path", type=Path)
    run.add_argument("--pin", default="123456")
    run.add_argument("--tries", type=int, default=5)
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=35963)
    args = parser.parse_args(argv)

    from hardware.emulator.keys import TestKey
    from hardware.emulator.keys import generate as make_key

    if args.command == "generate":
        key = make_key(args.algorithm, args.subject)
        key.save(args.path)
        if args.pem:
            args.pem.write_text(key.certificate_pem, encoding="utf-8")
        print(f"wrote {args.algorithm} TEST key to {args.path}")
        return 0
    from hardware.emulator.card import UKeyICC, UKeyOS

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s [%(levelname)s] %(message)s")
    card = UKeyICC(UKeyOS(TestKey.load(args.path), args.pin, args.tries), args.host, args.port)
    print(f"virtual UKey inserted at {args.host}:{args.port}", flush=True)
    card.run()
    return 0
