"""UKey challenge–sign–verify time through pcscd, for SM2 (SM3) and ECDSA P-256.

Needs pcscd with vsmartcard's vpcd loaded (started here in the foreground when none
answers) and starts the virtual card itself. One run = what a login costs in crypto
and card I/O: the hall issues a challenge, the card (via pyscard → pcscd → vpcd →
vpicc) verifies the PIN, gives its certificate and signs, and the hall verifies the
signature. The goal is <= 300 ms.

    .venv/bin/python bench/bench_ukey.py [--runs 50]
"""
from __future__ import annotations

import argparse
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hardware.emulator.keys import generate
from hardware.ukey import UKeyClient, UKeyError, sign_challenge
from plugins.ukey_login import crypto

READER, PIN, PORT = "Virtual PCD 00 00", "123456", 35963
DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the PC/SC stack")
        time.sleep(0.05)


def card_present() -> bool:
    try:
        with UKeyClient(READER) as card:
            card.select()
        return True
    except UKeyError:
        return False


def readers_answer() -> bool:
    try:
        return any("Virtual PCD" in r for r in UKeyClient.list_readers())
    except UKeyError:
        return False


def start_pcscd(folder: Path) -> subprocess.Popen | None:
    if readers_answer():
        return None
    conf = folder / "reader.conf.d"
    conf.mkdir()
    (conf / "vpcd").write_text(f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{PORT:04X}\n'
                               f'LIBPATH {DRIVER}\nCHANNELID 0x{PORT:04X}\n', encoding="ascii")
    process = subprocess.Popen(["pcscd", "--foreground", "--config", str(conf)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(readers_answer)
    return process


def bench(algorithm: str, runs: int, folder: Path) -> list[float]:
    key = generate(algorithm)
    key.save(folder / f"{algorithm}.json")
    point = bytes(key.point)
    card = subprocess.Popen([sys.executable, "-m", "hardware.emulator", "run", str(folder / f"{algorithm}.json"),
                             "--pin", PIN, "--port", str(PORT)], cwd=REPO, stdout=subprocess.DEVNULL)
    try:
        wait_for(card_present)
        times = []
        for _ in range(runs + 2):
            started = time.perf_counter()
            challenge = f"OpenGJJ-UKey|bench|{secrets.token_hex(32)}"
            signed = sign_challenge(challenge, PIN, READER)
            presented = crypto.load(signed.certificate)
            assert presented.point == point
            assert crypto.verify(algorithm, point, challenge.encode(), signed.signature)
            times.append((time.perf_counter() - started) * 1000)
        return times[2:]  # the first runs warm up pcscd's connection
    finally:
        card.terminate()
        card.wait(timeout=10)
        wait_for(lambda: not card_present())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ukey-") as tmp:
        pcscd = start_pcscd(Path(tmp))
        try:
            for algorithm in ("sm2", "p256"):
                times = sorted(bench(algorithm, args.runs, Path(tmp)))
                p95 = times[max(0, round(0.95 * len(times)) - 1)]
                print(f"{algorithm:5} challenge–sign–verify through pcscd, {len(times)} runs: "
                      f"median {statistics.median(times):6.1f} ms, p95 {p95:6.1f} ms, max {times[-1]:6.1f} ms "
                      f"(goal <= 300 ms)")
        finally:
            if pcscd is not None:
                pcscd.terminate()
                pcscd.wait(timeout=10)


if __name__ == "__main__":
    main()
