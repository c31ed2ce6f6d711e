"""Fits `models/criteria.onnx`: the learned probe's criteria fused with the scene model's classes.

    .cache/train-venv/bin/python models/vision/fit_scene.py --photos ../shared/photos \
        --extra ../shared/photos-extra

Issue 19: a probe on EfficientNet-Lite0's 1000 ImageNet class log-probabilities (`scene.onnx`,
built by `convert_scene.py`) carries over to photos unlike the training photos better than the
probe on the detector's backbone that ships in `heads.onnx`. This script fits, for each of
`package_visible`, `package_placed` and `location_identifiable`:

1. a scene probe: L2 logistic regression on the standardised log-probabilities of the clear
   training photos (and the clear photos of `--extra`), its weight `C` chosen from `--c` for
   each criterion by its out-of-fold log loss. `package_placed`'s reads the frame with the
   package boxes its heads found masked (`masking.masked_input`: what lies around the parcel;
   `--placed-views`), the location has two (`--location-views`), one on the whole frame and one
   on the masked frame, and both also learn from generated photos (`--generated`: parcels cut
   out onto plain backdrops and onto parcel-free doors, read whole and with the pasted parcel
   masked);
2. a fusion with positive weights: `sigmoid(a * logit(heads) + b * scene [+ b' * masked] + c)`,
   fitted on out-of-fold scores of all (the heads of `models/cv/fold-K` for fold K's photos,
   the shipped heads for `--extra`, which they never saw; their boxes too).

It also fits a fourth scene probe, for `image_clear`'s "not a photo": the log-probabilities of
every training photo and every real photo of `--extra` (0) against `--extra`'s screenshots and,
per clear training photo, three of `models/quality/synth.py`'s rendered non-photos and one each
of `nonphoto.py`'s collages, notification screens and adverts (1), `C` chosen the same way; and
its fusion with the quality model's own `not_a_photo`,
`sigmoid(a * logit(quality) + b * scene + c)` with positive weights, fitted on the out-of-fold
scores of the real photos only (the quality model of `models/cv/fold-K` for fold K's training
photos, the shipped one for `--extra`, which it never saw): the quality model was trained on the
same generator, so its scores on generated samples would overstate it.

It writes `models/criteria.onnx` and, for cross-validation, `models/cv/fold-K/criteria.onnx`,
fitted without fold K's photos (the fusion on the other folds' out-of-fold scores), so that
`proofshot eval --cv models/cv` scores every photo with models that never saw it. Held in hand,
the fourth criterion, passes through unchanged.

    criteria.onnx   probe    float32 [1, 4]     heads.onnx's `criteria` (calibrated probabilities)
                    logprobs float32 [1, 1000]  scene.onnx's output
                    masked   float32 [1, 1000]  scene.onnx's output with the package boxes masked
                    quality  float32 [1, 4]     quality.onnx's `scores`
                 -> criteria float32 [1, 4]     fused probabilities, same order
                 -> scores   float32 [1, 4]     quality's scores, `not_a_photo` (the fourth) fused

Photos are run as the SDK sees them (`train.load_photo`, box-filtered to each model's side).
About 2 minutes on two cores; writes the same bytes on every run. Needs models/vision/requirements-scene.txt.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convert_scene import session as scene_session  # noqa: E402
from convert_scene import to_input as scene_input  # noqa: E402
import nonphoto  # noqa: E402
from nonphoto import package_box  # noqa: E402
from masking import masked_input, package_boxes  # noqa: E402
from PIL import Image  # noqa: E402
from plain import background, pasted_at  # noqa: E402
from train import CRITERIA, FOLDS, SIDE, load_photo, to_input  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(1, str(ROOT / "quality"))
import synth  # noqa: E402  (models/quality/synth.py: the quality model's generated non-photos)
FUSED = CRITERIA[:3]
EPS = 1e-4


def session(path: Path) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


def read(photos: Path, extra: Path | None, clear_only: bool = True) -> tuple[list[dict], np.ndarray]:
    """The photos with their fold: `models/cv/folds.csv` for `photos`, and the photos of `extra`
    spread over the folds in file order; with `clear_only`, only those labelled clear (a black or
    blurred photo is still a photo, for the not-a-photo probe)."""
    fold_of = {r["id"]: int(r["fold"]) for r in csv.DictReader(open(ROOT / "cv" / "folds.csv"))}
    rows, folds = [], []
    for r in csv.DictReader(open(photos / "labels.csv")):
        if not clear_only or r["image_clear"] == "1":
            rows.append(dict(r, path=photos / r["file"], extra=False))
            folds.append(fold_of[r["id"]])
    if extra is not None:
        n = 0
        for r in csv.DictReader(open(extra / "labels.csv")):
            if not clear_only or r["image_clear"] == "1":
                rows.append(dict(r, path=extra / r["file"], extra=True))
                folds.append(n % FOLDS)
                n += 1
    return rows, np.array(folds)


def photo_signals(
    rows: list[dict], folds: np.ndarray, per_photo: int, kinds: bool, extended: bool = False, unseen: bool = False
) -> tuple[np.ndarray, np.ndarray, Generated, Generated, np.ndarray]:
    """Scene log-probabilities [n, 1000] and the quality model's out-of-fold `not_a_photo` [n]
    of the real photos, and the log-probabilities of generated non-photos: per clear training
    photo, `per_photo` of synth.py's, and with `kinds` a collage, a notification screen and (where
    its parcel is labelled) an advert from nonphoto.py (with `extended` also a diagram, a render
    and a thumbnail). With `unseen`, also nonphoto.py's diagrams, renders and thumbnails that
    neither the probe nor the quality model learns from, with the quality model's out-of-fold
    score of each: samples of kinds new to both signals, for their fusion."""
    scene = scene_session((ROOT / "scene.onnx").read_bytes())
    quality = [session(ROOT / "cv" / f"fold-{k}" / "quality.onnx") for k in range(FOLDS)]
    shipped = session(ROOT / "quality.onnx")
    by_fold: dict[int, list[Path]] = {}
    for r, k in zip(rows, folds):
        if not r["extra"] and r["image_clear"] == "1":
            by_fold.setdefault(int(k), []).append(r["path"])
    def logprobs(im: Image.Image) -> np.ndarray:
        return scene.run(None, {"image": scene_input(im)})[0][0]

    def not_a_photo(model: ort.InferenceSession, im: Image.Image) -> float:
        # train.load_photo and synth.load_photo prepare a photo the same way
        small = synth.to_input(im).astype(np.float32).transpose(2, 0, 1)[None] / 255
        return model.run(None, {"image": small})[0][0, 3]

    x, q, gx, gf, ux, uq, uf = [], [], [], [], [], [], []
    for r, k in zip(rows, folds):
        im = load_photo(r["path"])
        x.append(logprobs(im))
        q.append(not_a_photo(shipped if r["extra"] else quality[k], im))
        if r["extra"] or r["image_clear"] != "1":
            continue
        box = package_box(r["path"].parent.parent / "boxes" / f"{r['id']}.txt")
        rng = random.Random("non-photo-" + r["id"])
        made = [synth.non_photo(rng, im) for _ in range(per_photo)]
        if kinds:
            # photos of its own fold only: a fold's probe never sees another fold's photos
            made.append(nonphoto.collage(rng, [im] + [load_photo(p) for p in rng.sample(by_fold[int(k)], 4)]))
            made.append(nonphoto.notification(rng, im))
            if box is not None:
                made.append(nonphoto.advert(rng, im, box))
            if extended:
                if box is not None:
                    made.append(nonphoto.diagram(rng, im, box))
                made.append(nonphoto.render(rng))
                made.append(nonphoto.thumbnail(rng, im))
        for g in made:
            gx.append(logprobs(g))
            gf.append(k)
        if unseen:
            rng = random.Random("unseen-" + r["id"])
            new = [nonphoto.render(rng), nonphoto.thumbnail(rng, im)]
            if box is not None:
                new.append(nonphoto.diagram(rng, im, box))
            for g in new:
                ux.append(logprobs(g))
                uq.append(not_a_photo(quality[k], g))
                uf.append(k)
    gen = Generated(np.array(gx, np.float64).reshape(-1, 1000), np.ones(len(gx), int), np.array(gf, int))
    new_kinds = Generated(np.array(ux, np.float64).reshape(-1, 1000), np.ones(len(ux), int), np.array(uf, int))
    return np.array(x, np.float64), np.array(q, np.float64), gen, new_kinds, np.array(uq, np.float64)


def signals(rows: list[dict], folds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold heads probabilities [n, 4], scene log-probabilities [n, 1000], and the scene
    log-probabilities with the package boxes the same heads found masked [n, 1000]."""
    backbone = session(ROOT / "backbone.onnx")
    heads = [session(ROOT / "cv" / f"fold-{k}" / "heads.onnx") for k in range(FOLDS)]
    shipped = session(ROOT / "heads.onnx")
    scene = scene_session((ROOT / "scene.onnx").read_bytes())
    probe, logprobs, masked = [], [], []
    for r, k in zip(rows, folds):
        im = load_photo(r["path"])
        s16, s32 = backbone.run(None, {"image": to_input(im, SIDE)})
        h = shipped if r["extra"] else heads[k]
        crit, heat, box = h.run(["criteria", "heatmap", "boxes"], {"features_s16": s16, "features_s32": s32})
        probe.append(crit[0])
        image = scene_input(im)
        logprobs.append(scene.run(None, {"image": image})[0][0])
        found = package_boxes(heat, box)
        masked.append(scene.run(None, {"image": masked_input(image, found)})[0][0] if found else logprobs[-1])
    return np.array(probe, np.float64), np.array(logprobs, np.float64), np.array(masked, np.float64)


class Fit:
    """One criterion's scene probes (each on standardised log-probabilities of one view of the
    scene: the whole frame, or the frame with the parcels masked) and their fusion with the score
    they refine (the heads' probability, or the quality model's `not_a_photo`); with `fuse`
    false, that score passes through (a = 1, b = 0, c = 0). `views` holds, per probe, its
    log-probabilities, out-of-fold logits, generated samples and `C`."""

    def __init__(self, views: list[tuple[np.ndarray, np.ndarray, "Generated", float]], probe: np.ndarray, y: np.ndarray,
                 fuse: bool, weight: np.ndarray | None = None) -> None:
        """`probe`, `y`, `weight` and each view's out-of-fold logits may run past the view's
        log-probabilities `x`: samples the fusion learns from and the probes do not."""
        self.probes = []
        for x, _, gen, c in views:
            gx, gy = np.r_[x, gen.x], np.r_[y[:len(x)], gen.y]
            mu, sd = gx.mean(0), gx.std(0) + 1e-6
            self.probes.append((LogisticRegression(C=c, max_iter=5000).fit((gx - mu) / sd, gy), mu, sd))
        if not fuse:
            self.a, self.b, self.c = 1.0, np.zeros(len(views)), 0.0
            return
        fusion = LogisticRegression(C=1.0).fit(np.c_[logit(probe), *[v[1] for v in views]], y, sample_weight=weight)
        self.a, self.b, self.c = fusion.coef_[0][0], fusion.coef_[0][1:], fusion.intercept_[0]
        if self.a <= 0 or (self.b <= 0).any():
            raise SystemExit(f"fusion weights must be positive (more evidence, more belief): {self.a:.3f}, {self.b}")

    def weights(self, view: int = 0) -> tuple[np.ndarray, float]:
        """One scene probe as a linear function of the raw log-probabilities (zero where the
        criterion is not fused)."""
        m, mu, sd = self.probes[view]
        w = m.coef_[0] / sd
        if self.b[view] == 0:
            return np.zeros_like(w), 0.0
        return w, float(m.intercept_[0] - (w * mu).sum())

    def predict(self, probe: np.ndarray, *scenes: np.ndarray) -> np.ndarray:
        """The fused probability, from the score it refines and the scene probes' logits."""
        z = self.a * logit(probe) + self.c + sum(b * s for b, s in zip(self.b, scenes))
        return 1 / (1 + np.exp(-z))


class Generated:
    """Generated training samples for one criterion's scene probe: log-probabilities, labels, and
    the fold of the photo each was made from."""

    def __init__(self, x: np.ndarray | None = None, y: np.ndarray | None = None, folds: np.ndarray | None = None) -> None:
        self.x = np.zeros((0, 1000)) if x is None else x
        self.y = np.zeros(0, int) if y is None else y
        self.folds = np.zeros(0, int) if folds is None else folds

    def without(self, fold: int) -> "Generated":
        keep = self.folds != fold
        return Generated(self.x[keep], self.y[keep], self.folds[keep])


def generate(rows: list[dict], folds: np.ndarray, photos: Path, per_parcel: int) -> tuple[Generated, Generated]:
    """`location_identifiable` samples from `plain.py`: each labelled parcel of the training
    photos on `per_parcel` generated plain backgrounds (0), and the same cut-out on as many
    parcel-free entrance photos of its own fold (1), so that the paste says nothing. Two views:
    the whole sample, and the sample with the pasted parcel masked (`masked_input`)."""
    scene = scene_session((ROOT / "scene.onnx").read_bytes())
    entrances: dict[int, list[dict]] = {}
    for r, k in zip(rows, folds):
        if not r["extra"] and r["package_visible"] == "0" and r["location_identifiable"] == "1":
            entrances.setdefault(int(k), []).append(r)
    x, xm, y, f = [], [], [], []
    for r, k in zip(rows, folds):
        box = None if r["extra"] else package_box(photos / "boxes" / f"{r['id']}.txt")
        if box is None:
            continue
        rng = random.Random("plain-" + r["id"])
        im = load_photo(r["path"])
        for _ in range(per_parcel):
            for label in (0, 1):
                if label == 0:
                    g, (px, py, pw, ph) = pasted_at(im, box, background(im.width, im.height, rng), rng)
                else:
                    door = load_photo(photos / rng.choice(entrances[int(k)])["file"]).resize(im.size, Image.BICUBIC)
                    g, (px, py, pw, ph) = pasted_at(im, box, door, rng)
                at = (px / g.width, py / g.height, pw / g.width, ph / g.height)
                image = scene_input(g)
                x.append(scene.run(None, {"image": image})[0][0])
                xm.append(scene.run(None, {"image": masked_input(image, [at])})[0][0])
                y.append(label), f.append(k)
    y, f = np.array(y), np.array(f)
    return Generated(np.array(x, np.float64), y, f), Generated(np.array(xm, np.float64), y, f)


def scene_oof(x: np.ndarray, y: np.ndarray, folds: np.ndarray, c: float, keep: np.ndarray, gen: Generated,
              held: Generated | None = None) -> np.ndarray:
    """Out-of-fold scene-probe logits over the photos in `keep` (others left at 0); each fold's
    probe also learns the generated samples made from the other folds' photos. With `held`
    (samples the probe never learns from), their logits follow, each from its own fold's probe,
    for the folds some photo in `keep` falls in (others left at 0)."""
    extra = Generated() if held is None else held
    out, out_held = np.zeros(len(y)), np.zeros(len(extra.y))
    for k in range(FOLDS):
        tr, te = keep & (folds != k), keep & (folds == k)
        if te.any():
            g = gen.without(k)
            xs, ys = np.r_[x[tr], g.x], np.r_[y[tr], g.y]
            mu, sd = xs.mean(0), xs.std(0) + 1e-6
            m = LogisticRegression(C=c, max_iter=5000).fit((xs - mu) / sd, ys)
            out[te] = m.decision_function((x[te] - mu) / sd)
            at = extra.folds == k
            if at.any():
                out_held[at] = m.decision_function((extra.x[at] - mu) / sd)
    return out if held is None else np.r_[out, out_held]


N = helper.make_node
# the constants every graph below reads
COMMON = {
    "eps": np.array(EPS, np.float32), "one_eps": np.array(1 - EPS, np.float32), "one": np.array(1.0, np.float32),
    "s0": np.array([0], np.int64), "s3": np.array([3], np.int64), "s4": np.array([4], np.int64), "ax": np.array([1], np.int64),
}


def fusion_nodes(prob: str, scene: str, a: str, b: str, c: str, out: str) -> list:
    """`out` = sigmoid(a * logit(prob) + b * scene + c), `prob` clipped to [EPS, 1 - EPS]."""
    t = out + "_"
    return [
        N("Clip", [prob, "eps", "one_eps"], [t + "p"]),
        N("Sub", ["one", t + "p"], [t + "q"]),
        N("Div", [t + "p", t + "q"], [t + "odds"]),
        N("Log", [t + "odds"], [t + "logit"]),
        N("Mul", [t + "logit", a], [t + "ta"]),
        N("Mul", [scene, b], [t + "tb"]),
        N("Add", [t + "ta", t + "tb"], [t + "tab"]),
        N("Add", [t + "tab", c], [t + "z"]),
        N("Sigmoid", [t + "z"], [out]),
    ]


def criteria_nodes(scene: str) -> list:
    """`criteria` [1, 4]: the heads' three criteria (`probe`) fused with `scene` [1, 3] (the
    scene probes' weighted logits) by `fuse_a` and `fuse_c`, raised only (the larger of the
    fusion and the heads) where `raise_mask` is 1, and held in hand passed through."""
    return [
        N("Slice", ["probe", "s0", "s3", "ax"], ["p3"]),
        *fusion_nodes("p3", scene, "fuse_a", "unit", "fuse_c", "fused_both"),
        N("Max", ["fused_both", "p3"], ["raised"]),
        N("Sub", ["raised", "fused_both"], ["lift"]),
        N("Mul", ["lift", "raise_mask"], ["lift_kept"]),
        N("Add", ["fused_both", "lift_kept"], ["fused"]),
        N("Slice", ["probe", "s3", "s4", "ax"], ["held"]),
        N("Concat", ["fused", "held"], ["criteria"], axis=1),
    ]


def save(nodes: list, inputs: dict, outputs: dict, consts: dict, path: Path, producer: str, doc: str) -> None:
    """A float32 graph with these inputs and outputs (name: shape), checked and written."""
    info = lambda items: [helper.make_tensor_value_info(k, TensorProto.FLOAT, v) for k, v in items.items()]  # noqa: E731
    graph = helper.make_graph(nodes, "criteria", info(inputs), info(outputs),
                              [numpy_helper.from_array(v, k) for k, v in {**COMMON, **consts}.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name=producer)
    model.ir_version = 8
    model.doc_string = doc
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


def choose_c(x: np.ndarray, y: np.ndarray, folds: np.ndarray, cs: list[float], gen: Generated) -> tuple[float, dict]:
    """The `C` of `cs` whose scene probe has the least out-of-fold log loss, and every loss."""
    every = np.ones(len(y), bool)
    loss = {c: log_loss(y, 1 / (1 + np.exp(-scene_oof(x, y, folds, c, every, gen)))) for c in cs}
    return min(loss, key=loss.get), loss


VIEWS = ("whole", "masked")


def export(
    fits: list[Fit],
    photo: Fit,
    path: Path,
    raise_only: tuple[bool, bool, bool],
    views: list[tuple[str, ...]],
) -> None:
    """Writes criteria.onnx. Criterion i's probes read the views in `views[i]`: "whole" the
    `logprobs` input, "masked" the `masked` input (the scene with the parcels masked)."""
    pw, pb = photo.weights()
    consts = {}
    for view, name in zip(VIEWS, ("scene", "masked")):
        probes = [f.weights(v.index(view)) if view in v else (np.zeros(1000), 0.0) for f, v in zip(fits, views)]
        consts[f"{name}_w"] = np.stack([w for w, _ in probes], axis=1).astype(np.float32)  # [1000, 3]
        consts[f"{name}_b"] = np.array([b for _, b in probes], np.float32)
        consts[f"fuse_{name}"] = np.array([f.b[v.index(view)] if view in v else 0.0 for f, v in zip(fits, views)],
                                          np.float32)
    consts.update({
        "fuse_a": np.array([f.a for f in fits], np.float32),
        "fuse_c": np.array([f.c for f in fits], np.float32),
        "unit": np.ones(3, np.float32),
        "raise_mask": np.array([raise_only], np.float32),
        "photo_w": pw.astype(np.float32)[:, None], "photo_b": np.array([pb], np.float32),
        "photo_a": np.array([photo.a], np.float32), "photo_bb": np.array([photo.b[0]], np.float32),
        "photo_c": np.array([photo.c], np.float32),
    })
    nodes = [
        N("MatMul", ["logprobs", "scene_w"], ["scene_mm"]),
        N("Add", ["scene_mm", "scene_b"], ["scene_logit"]),
        N("MatMul", ["masked", "masked_w"], ["masked_mm"]),
        N("Add", ["masked_mm", "masked_b"], ["masked_logit"]),
        N("Mul", ["scene_logit", "fuse_scene"], ["scene_term"]),
        N("Mul", ["masked_logit", "fuse_masked"], ["masked_term"]),
        N("Add", ["scene_term", "masked_term"], ["scene_sum"]),
        *criteria_nodes("scene_sum"),
        # not a photo: the quality model's score fused with the scene's not-a-photo probe
        N("MatMul", ["logprobs", "photo_w"], ["photo_mm"]),
        N("Add", ["photo_mm", "photo_b"], ["photo_logit"]),
        N("Slice", ["quality", "s3", "s4", "ax"], ["q_np"]),
        *fusion_nodes("q_np", "photo_logit", "photo_a", "photo_bb", "photo_c", "not_a_photo"),
        N("Slice", ["quality", "s0", "s3", "ax"], ["q3"]),
        N("Concat", ["q3", "not_a_photo"], ["scores"], axis=1),
    ]
    save(nodes, {"probe": [1, 4], "logprobs": [1, 1000], "masked": [1, 1000], "quality": [1, 4]},
         {"criteria": [1, 4], "scores": [1, 4]}, consts, path, "proofshot fit_scene.py",
         "issue 19: heads' criteria, and quality's not_a_photo, fused with probes on EfficientNet-Lite0's ImageNet "
         "log-probabilities of the frame, whole and with the parcels masked")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=Path, default=ROOT.parent.parent / "shared" / "photos")
    ap.add_argument("--extra", type=Path, default=ROOT.parent.parent / "shared" / "photos-extra")
    ap.add_argument("--c", type=float, nargs="+", default=[0.003, 0.01, 0.03, 0.1])
    ap.add_argument("--fuse", nargs="+", choices=FUSED, default=list(FUSED),
                    help="criteria to fuse with the scene probe; the others pass through from the heads")
    ap.add_argument("--generated", type=int, default=3,
                    help="generated location samples per labelled parcel and kind (plain.py); 0 for none")
    ap.add_argument("--raise-only", nargs="*", choices=FUSED, default=["package_visible", "package_placed"],
                    help="criteria the scene may raise above the heads' probability but never lower")
    ap.add_argument("--not-a-photo", action=argparse.BooleanOptionalAction, default=True,
                    help="fuse the quality model's not_a_photo with the scene's probe (else it passes through)")
    ap.add_argument("--non-photos", type=int, default=3,
                    help="synth.py's generated non-photos per training photo, for the not-a-photo probe")
    ap.add_argument("--non-photo-kinds", action=argparse.BooleanOptionalAction, default=True,
                    help="also nonphoto.py's collages, notification screens and adverts, one of each per photo")
    ap.add_argument("--more-non-photo-kinds", action=argparse.BooleanOptionalAction, default=False,
                    help="with --non-photo-kinds, also nonphoto.py's diagrams, renders and thumbnails, one of each per photo")
    ap.add_argument("--unseen-kinds", action=argparse.BooleanOptionalAction, default=False,
                    help="fit the not-a-photo fusion also on nonphoto.py's diagrams, renders and thumbnails, kinds "
                         "neither the probe nor the quality model learns from")
    ap.add_argument("--location-views", nargs="+", choices=VIEWS, default=["whole", "masked"],
                    help="the views of the scene the location's probes read: the whole frame, the frame with the "
                         "package boxes masked, or both (one probe each, fused together with the heads)")
    ap.add_argument("--placed-views", nargs="+", choices=VIEWS, default=["masked"],
                    help="the same for package_placed (package_visible reads the whole frame: masking hides the parcel)")
    ap.add_argument("--out", type=Path, default=ROOT)
    args = ap.parse_args()

    rows, folds = read(args.photos, args.extra)
    print(f"{len(rows)} clear photos ({sum(r['extra'] for r in rows)} from --extra)")
    probe, whole, masked = signals(rows, folds)
    x = {"whole": whole, "masked": masked}
    views = [("whole",), *(tuple(v for v in VIEWS if v in a) for a in (args.placed_views, args.location_views))]
    y = {c: np.array([int(r[c]) for r in rows]) for c in FUSED}
    # generated samples, per criterion and view
    gen = {(c, v): Generated() for c in FUSED for v in VIEWS}
    if args.generated:
        made = generate(rows, folds, args.photos, args.generated)
        for v, g in zip(VIEWS, made):
            gen["location_identifiable", v] = g
        print(f"location_identifiable: {len(made[0].y)} generated samples ({args.generated} plain and "
              f"{args.generated} entrance backgrounds per labelled parcel), each whole and masked")
    everything = np.ones(len(rows), bool)

    best = {}
    for k, vs in zip(FUSED, views):
        for v in vs:
            best[k, v], loss = choose_c(x[v], y[k], folds, args.c, gen[k, v])
            print(f"{k} ({v}): scene probe's out-of-fold log loss " + ", ".join(f"{l:.3f} at C={c}" for c, l in loss.items())
                  + f"; C={best[k, v]}")

    oof = {(k, v): scene_oof(x[v], y[k], folds, best[k, v], everything, gen[k, v]) for k, vs in zip(FUSED, views) for v in vs}
    shipped = [
        Fit([(x[v], oof[k, v], gen[k, v], best[k, v]) for v in vs], probe[:, i], y[k], k in args.fuse)
        for i, (k, vs) in enumerate(zip(FUSED, views))
    ]
    for i, (k, fit, vs) in enumerate(zip(FUSED, shipped, views)):
        heads = np.clip(probe[:, i], EPS, 1 - EPS)
        if not fit.b.any():
            print(f"{k}: the heads' probability passes through")
            continue
        fused = fit.predict(heads, *[oof[k, v] for v in vs])
        if k in args.raise_only:
            fused = np.maximum(fused, heads)
        terms = " + ".join(f"{b:.3f} * scene ({v})" for b, v in zip(fit.b, vs))
        print(f"{k}: {fit.a:.3f} * logit(heads) + {terms} + {fit.c:.3f}"
              f"{' (raises only)' if k in args.raise_only else ''}; out-of-fold log loss heads {log_loss(y[k], heads):.3f}, "
              f"fused {log_loss(y[k], fused):.3f} (fusion fitted on these scores)")
    loc = FUSED.index("location_identifiable")
    fused = shipped[loc].predict(probe[:, loc], *[oof["location_identifiable", v] for v in views[loc]])
    neg = y["location_identifiable"] == 0
    print(f"location_identifiable below 0.30 (fails): heads {(probe[neg, loc] < 0.3).sum()} of {neg.sum()} photos without a "
          f"location, {(probe[~neg, loc] < 0.3).sum()} of {(~neg).sum()} with one; fused {(fused[neg] < 0.3).sum()} and "
          f"{(fused[~neg] < 0.3).sum()}")

    if args.unseen_kinds and args.more_non_photo_kinds:
        raise SystemExit("--unseen-kinds fits the fusion on the kinds --more-non-photo-kinds teaches the probe: pick one")
    prows, pfolds = read(args.photos, args.extra, clear_only=False)
    py = np.array([int(r["extra"] and r["subgroup"] == "not_a_photo") for r in prows])
    px, pq, pgen, pnew, pnq = photo_signals(prows, pfolds, args.non_photos, args.non_photo_kinds, args.more_non_photo_kinds,
                                            args.unseen_kinds)
    pc, ploss = choose_c(px, py, pfolds, args.c, pgen)
    print(f"not a photo: {len(prows)} real photos ({py.sum()} not photos), {len(pgen.y)} generated non-photos; scene probe's "
          "out-of-fold log loss " + ", ".join(f"{v:.3f} at C={c}" for c, v in ploss.items()) + f"; C={pc}")

    def photo_fit(keep: np.ndarray, gen: Generated, fold: int | None) -> tuple[Fit, np.ndarray, np.ndarray]:
        """The not-a-photo fusion fitted on the real photos in `keep` and the unseen kinds of
        the same folds (all of them weighing as much as the real non-photos); its probe and
        quality inputs, out of fold."""
        at = np.ones(len(pnew.y), bool) if fold is None else pnew.folds != fold
        oof = scene_oof(px, py, pfolds, pc, keep, gen, pnew)
        logits, q = np.r_[oof[:len(py)][keep], oof[len(py):][at]], np.r_[pq[keep], pnq[at]]
        y = np.r_[py[keep], np.ones(at.sum(), int)]
        weight = np.r_[np.ones(keep.sum()), np.full(at.sum(), py[keep].sum() / at.sum())] if at.any() else None
        return Fit([(px[keep], logits, gen, pc)], q, y, args.not_a_photo, weight), logits, q

    photo, poof, pqs = photo_fit(np.ones(len(py), bool), pgen, None)
    fused = photo.predict(pqs, poof)
    n, real = len(py), py == 0
    print(f"not a photo: {photo.a:.3f} * logit(quality) + {photo.b[0]:.3f} * scene + {photo.c:.3f}; out-of-fold, above 0.5: "
          f"quality {(pq[~real] > 0.5).sum()} of {(~real).sum()} non-photos and {(pq[real] > 0.5).sum()} of {real.sum()} photos, "
          f"fused {(fused[:n][~real] > 0.5).sum()} and {(fused[:n][real] > 0.5).sum()} (fusion fitted on these scores)")
    if len(pnq):
        print(f"not a photo, unseen kinds ({len(pnq)}): above 0.5 quality {(pnq > 0.5).sum()}, scene probe "
              f"{(poof[n:] > 0).sum()}, fused {(fused[n:] > 0.5).sum()}")

    raise_only = tuple(k in args.raise_only for k in FUSED)
    export(shipped, photo, args.out / "criteria.onnx", raise_only, views)
    print(f"wrote {args.out / 'criteria.onnx'}")
    for f in range(FOLDS):
        keep = folds != f
        # the fold's fusion reads out-of-fold scene scores computed without fold f's photos
        fits = [
            Fit(
                [(x[v][keep], scene_oof(x[v], y[k], folds, best[k, v], keep, gen[k, v].without(f))[keep], gen[k, v].without(f),
                  best[k, v]) for v in vs],
                probe[keep, i], y[k][keep], k in args.fuse,
            )
            for i, (k, vs) in enumerate(zip(FUSED, views))
        ]
        fold_photo = photo_fit(pfolds != f, pgen.without(f), f)[0]
        export(fits, fold_photo, args.out / "cv" / f"fold-{f}" / "criteria.onnx", raise_only, views)
    print(f"wrote {args.out / 'cv'}/fold-*/criteria.onnx")


if __name__ == "__main__":
    main()
