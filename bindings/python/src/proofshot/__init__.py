"""ProofShot: on-device proof-of-delivery photo checks.

    import proofshot
    verifier = proofshot.Verifier()               # built-in policy, embedded models
    verdict = verifier.verify_photo(open("porch.jpg", "rb").read())
    print(verdict.category, [(c.id, c.passed, c.reason) for c in verdict.criteria])

ONNX Runtime is loaded from ORT_DYLIB_PATH if set, else from the `onnxruntime` package this
one depends on, else pass `runtime_library_path=` to `Verifier`.
"""

import glob as _glob
import os as _os


def _point_at_onnxruntime() -> None:
    if _os.environ.get("ORT_DYLIB_PATH"):
        return
    try:
        import importlib.util as _util

        spec = _util.find_spec("onnxruntime")
    except (ImportError, ValueError):
        return
    if spec is None or not spec.submodule_search_locations:
        return
    for root in spec.submodule_search_locations:
        for pattern in ("libonnxruntime.so*", "libonnxruntime*.dylib", "onnxruntime.dll"):
            found = sorted(_glob.glob(_os.path.join(root, "capi", pattern)))
            if found:
                _os.environ["ORT_DYLIB_PATH"] = found[0]
                return


_point_at_onnxruntime()

from .proofshot import *  # noqa: E402,F401,F403
from . import proofshot as _ffi  # noqa: E402

# uniffi hands each argument to Rust in one buffer whose length is a 32-bit integer: bytes past
# 2 GiB fail inside the generated lowering code (struct.error) before the SDK can say why.
# Photos are refused here, past the SDK's own limit, and camera frames past what one call can
# carry, with the ProofShotError the SDK would give.
_MAX_CALL_BYTES = 2**31 - 1 - 1024


def _check_photo(data, what="photo"):
    if data is None or not isinstance(data, (bytes, bytearray, memoryview)):
        return  # absent, or the wrong type, which the generated code names
    limit = _ffi.max_photo_bytes()
    if len(data) > limit:
        raise _ffi.ProofShotError.InvalidImage(
            f"{what} is {len(data)} bytes, over the limit of {limit} bytes ({limit >> 20} MiB)"
        )


def _check_frame(frame):
    planes = getattr(frame, "planes", None) or []
    total = sum(len(p.bytes) for p in planes if isinstance(getattr(p, "bytes", None), (bytes, bytearray)))
    if total > _MAX_CALL_BYTES:
        raise _ffi.ProofShotError.InvalidImage(
            f"camera frame planes hold {total} bytes, over the {_MAX_CALL_BYTES} bytes one call can carry"
        )


def _guarded(cls, name, check):
    import functools

    method = getattr(cls, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        check(*args, **kwargs)
        return method(self, *args, **kwargs)

    setattr(cls, name, wrapper)


def _check_submission(bytes, capture=None, redacted_copy=None):  # noqa: A002 (the generated name)
    _check_photo(bytes)
    if redacted_copy is not _ffi._DEFAULT:
        _check_photo(redacted_copy, "redacted copy")


for _cls, _name, _check in [
    (_ffi.Verifier, "verify_photo", lambda bytes: _check_photo(bytes)),
    (_ffi.Verifier, "redact", lambda bytes, options=None: _check_photo(bytes)),
    (_ffi.Verifier, "verify_frame", _check_frame),
    (_ffi.Verifier, "guide", _check_frame),
    (_ffi.DeliverySession, "submit_photo", _check_submission),
    (_ffi.DeliverySession, "submit_frame", lambda frame, capture=None: _check_frame(frame)),
]:
    _guarded(_cls, _name, _check)
