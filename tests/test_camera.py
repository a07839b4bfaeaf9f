"""The document camera through the local agent: a test device that serves a still page,
over real HTTP, answering only the hall's origin."""
from __future__ import annotations

import io
import json
import threading
import urllib.error
import urllib.request

import pytest
from PIL import Image

from hardware.agent import AgentServer
from hardware.camera import CameraError, OpenCVCamera, StillCamera, open_camera

HALL = "http://127.0.0.1:6543"


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "page.png"
    Image.new("RGB", (640, 480), "white").save(path)
    return path


def agent(camera):
    server = AgentServer([HALL], port=0, camera=camera)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def capture(server, origin=HALL):
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/camera/capture", data=b"{}", method="POST",
                                     headers={"Origin": origin, "Content-Type": "application/json"})
    return urllib.request.urlopen(request, timeout=5)


def test_the_agent_captures_a_jpeg_for_the_hall(page):
    server = agent(StillCamera(page))
    try:
        with capture(server) as response:
            assert response.headers["Content-Type"] == "image/jpeg"
            assert response.headers["Access-Control-Allow-Origin"] == HALL
            image = Image.open(io.BytesIO(response.read()))
        assert (image.format, image.size) == ("JPEG", (640, 480))
        with pytest.raises(urllib.error.HTTPError) as refused:
            capture(server, origin="https://evil.example")
        with refused.value:
            assert refused.value.code == 403 and "Access-Control-Allow-Origin" not in refused.value.headers
    finally:
        server.shutdown()
        server.server_close()


def test_no_camera_or_a_broken_one_is_said_plainly(tmp_path):
    for camera, message in ((None, "未配置高拍仪"), (StillCamera(tmp_path / "missing.jpg"), "无法读取")):
        server = agent(camera)
        try:
            with pytest.raises(urllib.error.HTTPError) as error:
                capture(server)
            with error.value:
                assert error.value.code == 503 and message in json.loads(error.value.read())["message"]
        finally:
            server.shutdown()
            server.server_close()


def test_camera_specs():
    assert isinstance(open_camera("opencv:1"), OpenCVCamera) and open_camera("opencv:1").index == 1
    with pytest.raises(ValueError):
        open_camera("webcam")
    with pytest.raises(CameraError):  # no video device on a server (or no OpenCV): a message, not a crash
        OpenCVCamera(99).capture()
