"""The Python boundary: construction, each input kind, field mapping, every error variant,
sessions through retry to manual review, the logging bridge, and concurrent use."""

import os
import pathlib
import subprocess
import sys
import threading

import pytest

import proofshot

ROOT = pathlib.Path(__file__).resolve().parents[3]
CLI = pathlib.Path(os.environ.get("PROOFSHOT_CLI", ROOT / "target" / "release" / "proofshot"))


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    """Photos the project renders itself (porch scene, black, blurred, screenshot ...)."""
    out = tmp_path_factory.mktemp("samples")
    subprocess.run([str(CLI), "samples", str(out)], check=True, capture_output=True)
    return {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.fixture(scope="session")
def verifier():
    return proofshot.Verifier()


def criteria(verdict):
    return {c.id: c for c in verdict.criteria}


def test_verifier_uses_the_builtin_policy(verifier):
    assert verifier.policy_id() == "proof-of-delivery-policy"
    assert proofshot.sdk_version() == "0.1.0"


def test_policy_info_gives_the_screen_text(verifier):
    info = verifier.policy_info()
    assert info.id == "proof-of-delivery-policy"
    assert info.max_attempts == 2 and not info.auto_approve_on_exhaust
    assert [c.id for c in info.categories] == ["valid_pod", "invalid_pod", "poor_photo"]
    assert [c.compliant for c in info.categories] == [True, False, False]
    assert info.categories[2].label == "Poor Photo" and info.categories[2].color == "#f97316"
    assert info.scanner_title == "Delivery Photo"


def test_verify_photo_maps_every_field(verifier, samples):
    v = verifier.verify_photo(samples["black.jpg"])
    assert v.category == "poor_photo"
    assert v.compliant is False
    assert v.message == "Delivery photo needs another try"
    assert v.elapsed_ms > 0
    for b in v.boxes:
        assert b.label in ("package", "door")
        assert 0.0 <= b.score <= 1.0 and b.x >= 0 and b.y >= 0 and b.width > 0 and b.height > 0
    c = criteria(v)
    assert list(c) == ["package_visible", "package_placed", "location_identifiable", "image_clear"]
    assert (c["image_clear"].passed, c["image_clear"].reason, c["image_clear"].required) == (False, "too_dark", True)
    assert c["image_clear"].message == "Too dark: turn on the flash or find light"
    assert 0.0 <= c["image_clear"].score < 0.3
    assert c["image_clear"].label == "Image is clear enough"
    visible = c["package_visible"]
    assert 0.0 <= visible.score <= 1.0
    assert visible.reason == ("ok" if visible.passed else "no_package")


def test_verify_photo_reasons(verifier, samples):
    for name, reason in [("blurred.jpg", "blurry"), ("overexposed.jpg", "overexposed"), ("screenshot.png", "not_a_photo")]:
        v = verifier.verify_photo(samples[name])
        assert (v.category, criteria(v)["image_clear"].reason) == ("poor_photo", reason), name
    porch = criteria(verifier.verify_photo(samples["porch.jpg"]))
    assert porch["image_clear"].passed


def rgba_frame(width, height, value, fmt=proofshot.FrameFormat.RGBA8888, rotation=0, pad=16):
    stride = width * 4 + pad
    data = bytes([value, value, value, 255] * width + [0] * pad) * height
    return proofshot.CameraFrame(width=width, height=height, format=fmt,
                                 planes=[proofshot.FramePlane(bytes=data, row_stride=stride, pixel_stride=4)],
                                 rotation_degrees=rotation)


def test_verify_frame_for_each_format(verifier):
    for fmt in (proofshot.FrameFormat.RGBA8888, proofshot.FrameFormat.BGRA8888):
        v = verifier.verify_frame(rgba_frame(64, 48, 0, fmt, rotation=90))
        assert criteria(v)["image_clear"].reason == "too_dark"
    w, h = 64, 48
    y, vu = bytes([0] * w * h), bytes([128] * w * (h // 2))
    nv21 = proofshot.CameraFrame(width=w, height=h, format=proofshot.FrameFormat.NV21,
                                 planes=[proofshot.FramePlane(bytes=y + vu, row_stride=w, pixel_stride=1)],
                                 rotation_degrees=270)
    assert criteria(verifier.verify_frame(nv21))["image_clear"].reason == "too_dark"
    uv = bytes([128] * (w // 2) * (h // 2))
    yuv = proofshot.CameraFrame(width=w, height=h, format=proofshot.FrameFormat.YUV420888,
                                planes=[proofshot.FramePlane(bytes=y, row_stride=w, pixel_stride=1),
                                        proofshot.FramePlane(bytes=uv, row_stride=w // 2, pixel_stride=1),
                                        proofshot.FramePlane(bytes=uv, row_stride=w // 2, pixel_stride=1)],
                                rotation_degrees=0)
    assert criteria(verifier.verify_frame(yuv))["image_clear"].reason == "too_dark"


def test_guide_gives_one_hint_per_preview_frame(verifier):
    dark = verifier.guide(rgba_frame(640, 480, 0))
    assert (dark.hint, dark.id, dark.ready) == (proofshot.GuidanceHint.TOO_DARK, "too_dark", False)
    assert dark.message and dark.elapsed_ms > 0
    w, h = 640, 480
    nv21 = proofshot.CameraFrame(width=w, height=h, format=proofshot.FrameFormat.NV21,
                                 planes=[proofshot.FramePlane(bytes=bytes(w * h) + bytes([128]) * (w * h // 2),
                                                              row_stride=w, pixel_stride=1)],
                                 rotation_degrees=90)  # Y = 0, neutral chroma
    assert verifier.guide(nv21).hint == proofshot.GuidanceHint.TOO_DARK
    short = proofshot.CameraFrame(width=w, height=h, format=proofshot.FrameFormat.NV21,
                                  planes=[proofshot.FramePlane(bytes=bytes(10), row_stride=w, pixel_stride=1)],
                                  rotation_degrees=0)
    with pytest.raises(proofshot.ProofShotError.InvalidImage):
        verifier.guide(short)


def test_invalid_policy_names_the_field():
    with pytest.raises(proofshot.ProofShotError.InvalidPolicy) as e:
        proofshot.Verifier(policy_json='{"id": "x", "name": "y", "config": {"mode": "freeform"}}')
    assert "config.mode" in str(e.value)
    with pytest.raises(proofshot.ProofShotError):
        proofshot.Verifier(policy_json="not json")


def test_intra_op_threads_are_checked_and_change_no_verdict(verifier, samples):
    for bad in (0, 17):
        with pytest.raises(proofshot.ProofShotError.InvalidArgument) as e:
            proofshot.Verifier(intra_op_threads=bad)
        assert "intraOpThreads" in str(e.value) and str(bad) in str(e.value)
    two = proofshot.Verifier(intra_op_threads=2)
    for name in ("porch.jpg", "black.jpg"):
        one_v, two_v = verifier.verify_photo(samples[name]), two.verify_photo(samples[name])
        assert one_v.category == two_v.category
        for a, b in zip(one_v.criteria, two_v.criteria):
            assert (a.id, a.passed) == (b.id, b.passed) and abs(a.score - b.score) < 1e-3


def test_invalid_image_and_frame(verifier):
    with pytest.raises(proofshot.ProofShotError.InvalidImage) as e:
        verifier.verify_photo(b"not an image")
    assert "unrecognised image format" in str(e.value)
    short = rgba_frame(64, 48, 0)
    short.planes[0].bytes = short.planes[0].bytes[:100]
    with pytest.raises(proofshot.ProofShotError.InvalidImage) as e:
        verifier.verify_frame(short)
    assert "buffer holds 100 bytes" in str(e.value)
    bad_rotation = rgba_frame(8, 8, 0, rotation=45)
    with pytest.raises(proofshot.ProofShotError.InvalidImage, match="rotation"):
        verifier.verify_frame(bad_rotation)


def test_missing_runtime_is_runtime_unavailable():
    # its own process: this one has loaded ONNX Runtime already
    code = (
        "import proofshot\n"
        "try:\n"
        "    proofshot.Verifier(runtime_library_path='/nonexistent/libonnxruntime.so')\n"
        "except proofshot.ProofShotError.RuntimeUnavailable as e:\n"
        "    print('unavailable:', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("unavailable:") and "setup-ort.sh" in out


def test_session_retry_then_manual_review(verifier, samples):
    s = verifier.start_session()
    assert (s.attempts_used(), s.remaining(), s.is_finished()) == (0, 2, False)
    d = s.submit_photo(samples["black.jpg"])
    assert isinstance(d, proofshot.Decision.RETRY)
    assert d.remaining == 1
    assert d.message == "Make sure the package is placed at the door and visible. 1 attempts remaining."
    assert d.verdict.category == "poor_photo"
    # an unreadable photo is an error and costs no attempt
    with pytest.raises(proofshot.ProofShotError.InvalidImage):
        s.submit_photo(b"garbage")
    assert s.attempts_used() == 1
    d = s.submit_frame(rgba_frame(32, 32, 0))
    assert isinstance(d, proofshot.Decision.MANUAL_REVIEW)
    assert d.message == "Photo submitted for manual review."
    assert (s.attempts_used(), s.remaining(), s.is_finished()) == (2, 0, True)
    with pytest.raises(proofshot.ProofShotError.SessionFinished):
        s.submit_photo(samples["porch.jpg"])


def test_logging_bridge_reaches_the_app(samples):
    records = []

    class Collect(proofshot.Logger):
        def log(self, level, target, message):
            records.append((level, target, message))

    proofshot.set_logger(Collect(), proofshot.LogLevel.DEBUG)
    proofshot.Verifier().verify_photo(samples["porch.jpg"])
    proofshot.set_logger(Collect(), proofshot.LogLevel.ERROR)
    verdicts = [r for r in records if r[1].startswith("proofshot_core") and "verdict" in r[2]]
    assert verdicts and verdicts[0][0] == proofshot.LogLevel.DEBUG
    # no image content or paths in the records
    assert all("porch" not in m for _, _, m in records)


def test_a_throwing_logger_never_aborts_or_fails_a_call(samples, tmp_path):
    # in a child interpreter: an abort would end this one
    script = tmp_path / "throwing_logger.py"
    script.write_text(
        "import sys, proofshot\n"
        "class Throwing(proofshot.Logger):\n"
        "    calls = 0\n"
        "    def log(self, level, target, message):\n"
        "        Throwing.calls += 1\n"
        "        raise RuntimeError('logger broke')\n"
        "proofshot.set_logger(Throwing(), proofshot.LogLevel.TRACE)\n"
        "v = proofshot.Verifier()\n"
        "photo = open(sys.argv[1], 'rb').read()\n"
        "for _ in range(3):\n"
        "    assert v.verify_photo(photo).category\n"
        "try:\n"
        "    v.verify_photo(b'garbage')\n"
        "except proofshot.ProofShotError.InvalidImage:\n"
        "    pass\n"
        "assert Throwing.calls > 10, Throwing.calls\n"
        "print('ok', Throwing.calls)\n"
    )
    photo = tmp_path / "porch.jpg"
    photo.write_bytes(samples["porch.jpg"])
    run = subprocess.run([sys.executable, str(script), str(photo)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("ok")
    # reported once, without a panic's backtrace
    assert run.stderr.count("the app's logger failed") == 1, run.stderr[-2000:]
    assert "logger broke" in run.stderr and "panicked" not in run.stderr


def test_concurrent_use_from_threads(verifier, samples):
    expected = verifier.verify_photo(samples["porch.jpg"]).criteria
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                results.append(verifier.verify_photo(samples["porch.jpg"]).criteria)
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 20 and all(r == expected for r in results)


def test_a_photo_over_the_limit_is_invalid_image_before_it_is_handed_over(verifier, tmp_path):
    limit = proofshot.max_photo_bytes()
    assert limit == 160 * 1024 * 1024
    big = bytes(limit + 1)
    with pytest.raises(proofshot.ProofShotError.InvalidImage, match=r"photo is 167772161 bytes, over the limit of 167772160 bytes \(160 MiB\)"):
        verifier.verify_photo(big)
    with pytest.raises(proofshot.ProofShotError.InvalidImage, match="over the limit"):
        verifier.redact(big)
    session = verifier.start_session()
    with pytest.raises(proofshot.ProofShotError.InvalidImage, match="photo is 167772161 bytes"):
        session.submit_photo(big)
    with pytest.raises(proofshot.ProofShotError.InvalidImage, match="redacted copy is 167772161 bytes"):
        session.submit_photo(b"\xff\xd8\xff", redacted_copy=big)
    assert session.attempts_used() == 0
