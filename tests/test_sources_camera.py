"""Document cameras: a fake VideoCapture for the capture logic, real OpenCV for the absent camera."""
import cv2
import numpy as np
import pytest

from scanner.sources import CameraSource, NoCamera, list_cameras


class FakeCapture:
    """Behaves like cv2.VideoCapture on a 1600x1200 UVC camera showing a blue sheet."""

    def __init__(self, device, opens=True, frames=True):
        self.device, self.opens, self.frames = device, opens, frames
        self.props = {cv2.CAP_PROP_FRAME_WIDTH: 640, cv2.CAP_PROP_FRAME_HEIGHT: 480}
        self.reads = 0
        self.released = False

    def isOpened(self):
        return self.opens

    def set(self, prop, value):
        if prop == cv2.CAP_PROP_FRAME_WIDTH:
            value = min(value, 1600)       # V4L2 clamps to the largest mode
        if prop == cv2.CAP_PROP_FRAME_HEIGHT:
            value = min(value, 1200)
        self.props[prop] = value
        return True

    def get(self, prop):
        return self.props.get(prop, 0)

    def read(self):
        self.reads += 1
        if not self.frames:
            return False, None
        h, w = int(self.props[cv2.CAP_PROP_FRAME_HEIGHT]), int(self.props[cv2.CAP_PROP_FRAME_WIDTH])
        frame = np.zeros((h, w, 3), np.uint8)
        frame[:, :] = (255, 0, 0)          # BGR blue
        frame[0:10, 0:10] = (0, 0, 255)    # a red corner, to prove BGR -> RGB
        return True, frame

    def release(self):
        self.released = True


def test_capture_takes_the_largest_frame_in_rgb(tmp_path):
    made = []

    def factory(device):
        made.append(FakeCapture(device))
        return made[-1]

    calls = []
    source = CameraSource("/dev/video0", capture_factory=factory)
    page, = source.pages(progress=lambda *a: calls.append(a))
    cap = made[0]
    assert page.image.size == (1600, 1200) and page.image.mode == "RGB"
    assert page.image.getpixel((100, 100)) == (0, 0, 255)          # blue stays blue
    assert page.image.getpixel((2, 2)) == (255, 0, 0)              # red corner stays red
    assert cap.props[cv2.CAP_PROP_FOURCC] == cv2.VideoWriter_fourcc(*"MJPG")
    assert cap.reads == 6                                          # 5 warm-up frames + the kept one
    assert cap.released
    # 1600 px across a 297 mm field: 1600 / 11.69 in = 137 dpi
    assert page.dpi == 137 and page.image.info["dpi"] == (137, 137)
    assert page.source == "camera:/dev/video0" and page.index == 1
    assert page.warnings == ["高拍仪的分辨率按 A4 幅面估算"]
    assert calls == [(0, 1, "正在拍摄第 1 页"), (1, 1, "已拍摄 1 页")]


def test_first_camera_that_opens_is_used(tmp_path):
    for name in ("video0", "video1", "video10"):
        (tmp_path / name).write_bytes(b"")
    tried = []

    def factory(device):
        tried.append(device)
        return FakeCapture(device, opens=device.endswith("video1"))

    page, = CameraSource(capture_factory=factory, dev_dir=str(tmp_path)).pages()
    assert tried == [str(tmp_path / "video0"), str(tmp_path / "video1")]
    assert page.source == f"camera:{tmp_path / 'video1'}"
    assert list_cameras(str(tmp_path)) == [str(tmp_path / n) for n in ("video0", "video1", "video10")]


def test_camera_that_sends_no_frames():
    source = CameraSource("/dev/video0", capture_factory=lambda d: FakeCapture(d, frames=False))
    with pytest.raises(NoCamera) as err:
        list(source.pages())
    assert str(err.value) == "高拍仪不可用：/dev/video0 没有送回画面，请重新插拔高拍仪后再试"


def test_no_camera_at_all_with_real_opencv(tmp_path):
    with pytest.raises(NoCamera) as err:
        list(CameraSource(dev_dir=str(tmp_path)).pages())
    assert str(err.value) == "高拍仪不可用：本机没有发现任何摄像设备，请检查高拍仪的数据线是否插好"


def test_a_node_that_is_not_a_camera_with_real_opencv(tmp_path):
    (tmp_path / "video0").write_bytes(b"")      # a /dev/video node OpenCV cannot open
    with pytest.raises(NoCamera) as err:
        list(CameraSource(dev_dir=str(tmp_path)).pages())
    assert str(err.value) == "高拍仪不可用：发现 1 个视频设备但都无法打开，请检查高拍仪是否被其他程序占用"
    with pytest.raises(NoCamera) as err:
        list(CameraSource(str(tmp_path / "video7")).pages())
    assert str(err.value) == f"高拍仪不可用：无法打开 {tmp_path / 'video7'}，请检查高拍仪是否连接或被其他程序占用"
