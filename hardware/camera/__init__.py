"""The document camera (高拍仪) for the local agent, where the browser's own camera API
cannot reach it (an old browser, a camera that is not a UVC device, a locked-down PC).

    open_camera("opencv:0")             # the first video device, through OpenCV (extra "camera")
    open_camera("still:/path/page.jpg") # a test device: always the same page (development, tests)

``capture()`` returns one JPEG. The hall checks every upload by its content, whatever it
came from, so the agent adds no trust of its own.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Protocol

JPEG_QUALITY = 90


class CameraError(Exception):
    """The camera cannot give a picture; ``message`` is what the page shows."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Camera(Protocol):
    def capture(self) -> bytes: ...


class StillCamera:
    """A test device that photographs the same page every time."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def capture(self) -> bytes:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(self.path) as image:
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY)
        except (OSError, UnidentifiedImageError):
            raise CameraError("高拍仪测试图片无法读取") from None
        return out.getvalue()


class OpenCVCamera:
    """A video device through OpenCV: one frame per capture, the device released after."""

    def __init__(self, index: int = 0):
        self.index = index

    def capture(self) -> bytes:
        try:
            import cv2
        except ImportError:
            raise CameraError("UKey助手未安装高拍仪支持（pip install opengjj[camera]）") from None
        device = cv2.VideoCapture(self.index)
        try:
            if not device.isOpened():
                raise CameraError("未检测到高拍仪，请检查连接")
            for _ in range(5):  # the first frames of many cameras are dark while exposure settles
                ok, frame = device.read()
            if not ok:
                raise CameraError("高拍仪未能拍摄，请重试")
            ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if not ok:
                raise CameraError("高拍仪图片编码失败")
            return encoded.tobytes()
        finally:
            device.release()


def open_camera(spec: str) -> Camera:
    """A camera from ``kind:argument``: ``opencv:0`` or ``still:/path/to/page.jpg``."""
    kind, _, argument = spec.partition(":")
    if kind == "opencv":
        return OpenCVCamera(int(argument or 0))
    if kind == "still" and argument:
        return StillCamera(argument)
    raise ValueError(f"unknown camera {spec!r}: use opencv:<index> or still:<image path>")
