"""A real headless Chromium (Debian's, through its ChromeDriver) against a real server.

The app is served by waitress on a loopback port in a thread; screenshots go to
tests/artifacts/screenshots/ (kept by CI as the record of what a person would see).
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# Chromium's own background traffic is refused by this network: switch it off.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1600", "--lang=zh-CN")


def serve(app) -> tuple[str, object]:
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def chromium():
    """A Chromium driver, or a failure (a skip only when services are not required)."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        message = "Chromium is not installed (Debian packages chromium, chromium-driver; .ci/run installs them)"
        if os.environ.get("OPENGJJ_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
