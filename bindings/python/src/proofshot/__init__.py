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
