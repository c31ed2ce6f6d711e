"""Fits `models/criteria.onnx`: the learned probe's criteria fused with the scene model's classes.

    .cache/train-venv/bin/python models/vision/fit_scene.py --photos ../shared/photos \
        --extra ../shared/photos-extra

Issue 19: a probe on EfficientNet-Lite0's 1000 ImageNet class log-probabilities (`scene.onnx`,
built by `convert_scene.py`) carries over to photos unlike the training photos better than the
probe on the detector's backbone that ships in `heads.onnx`. This script fits, for each of
`package_visible`, `package_placed` and `location_identifiable`:

1. a scene probe: L2 logistic regression on the standardised log-probabilities of the clear
   training photos (and the clear photos of `--extra`), its weight `C` chosen from `--c` for
   each criterion by its out-of-fold log loss; the location probe also learns from generated
   photos (`--generated`: parcels cut out onto plain backdrops and onto parcel-free doors);
2. a fusion with two inputs and positive weights: `sigmoid(a * logit(heads) + b * scene + c)`,
   fitted on out-of-fold scores of both (the heads of `models/cv/fold-K` for fold K's photos,
   the shipped heads for `--extra`, which they never saw).

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
from plain import plain_sample, scene_sample  # noqa: E402
from study_plain import package_box  # noqa: E402
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
    rows: list[dict], folds: np.ndarray, per_photo: int, kinds: bool
) -> tuple[np.ndarray, np.ndarray, Generated]:
    """Scene log-probabilities [n, 1000] and the quality model's out-of-fold `not_a_photo` [n]
    of the real photos, and the log-probabilities of generated non-photos: per clear training
    photo, `per_photo` of synth.py's, and with `kinds` a collage, a notification screen and (where
    its parcel is labelled) an advert from nonphoto.py."""
    scene = scene_session((ROOT / "scene.onnx").read_bytes())
    quality = [session(ROOT / "cv" / f"fold-{k}" / "quality.onnx") for k in range(FOLDS)]
    shipped = session(ROOT / "quality.onnx")
    by_fold: dict[int, list[Path]] = {}
    for r, k in zip(rows, folds):
        if not r["extra"] and r["image_clear"] == "1":
            by_fold.setdefault(int(k), []).append(r["path"])
    x, q, gx, gf = [], [], [], []
    for r, k in zip(rows, folds):
        im = load_photo(r["path"])
        x.append(scene.run(None, {"image": scene_input(im)})[0][0])
        # train.load_photo and synth.load_photo prepare a photo the same way
        small = synth.to_input(im).astype(np.float32).transpose(2, 0, 1)[None] / 255
        q.append((shipped if r["extra"] else quality[k]).run(None, {"image": small})[0][0, 3])
        if r["extra"] or r["image_clear"] != "1":
            continue
        rng = random.Random("non-photo-" + r["id"])
        made = [synth.non_photo(rng, im) for _ in range(per_photo)]
        if kinds:
            # photos of its own fold only: a fold's probe never sees another fold's photos
            made.append(nonphoto.collage(rng, [im] + [load_photo(p) for p in rng.sample(by_fold[int(k)], 4)]))
            made.append(nonphoto.notification(rng, im))
            box = package_box(r["path"].parent.parent / "boxes" / f"{r['id']}.txt")
            if box is not None:
                made.append(nonphoto.advert(rng, im, box))
        for g in made:
            gx.append(scene.run(None, {"image": scene_input(g)})[0][0])
            gf.append(k)
    gen = Generated(np.array(gx, np.float64).reshape(-1, 1000), np.ones(len(gx), int), np.array(gf, int))
    return np.array(x, np.float64), np.array(q, np.float64), gen


def signals(rows: list[dict], folds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold heads probabilities [n, 4] and scene log-probabilities [n, 1000]."""
    backbone = session(ROOT / "backbone.onnx")
    heads = [session(ROOT / "cv" / f"fold-{k}" / "heads.onnx") for k in range(FOLDS)]
    shipped = session(ROOT / "heads.onnx")
    scene = scene_session((ROOT / "scene.onnx").read_bytes())
    probe, logprobs = [], []
    for r, k in zip(rows, folds):
        im = load_photo(r["path"])
        s16, s32 = backbone.run(None, {"image": to_input(im, SIDE)})
        h = shipped if r["extra"] else heads[k]
        probe.append(h.run(["criteria"], {"features_s16": s16, "features_s32": s32})[0][0])
        logprobs.append(scene.run(None, {"image": scene_input(im)})[0][0])
    return np.array(probe, np.float64), np.array(logprobs, np.float64)


class Fit:
    """One criterion's scene probe (on standardised log-probabilities) and its fusion with the
    score it refines (the heads' probability, or the quality model's `not_a_photo`); with `fuse`
    false, that score passes through (a = 1, b = 0, c = 0)."""

    def __init__(
        self, x: np.ndarray, probe: np.ndarray, scene_oof: np.ndarray, y: np.ndarray, c: float, fuse: bool, gen: Generated
    ) -> None:
        gx, gy = np.r_[x, gen.x], np.r_[y, gen.y]
        self.mu, self.sd = gx.mean(0), gx.std(0) + 1e-6
        self.probe = LogisticRegression(C=c, max_iter=5000).fit((gx - self.mu) / self.sd, gy)
        if not fuse:
            self.a, self.b, self.c = 1.0, 0.0, 0.0
            return
        fusion = LogisticRegression(C=1.0).fit(np.c_[logit(probe), scene_oof], y)
        (self.a, self.b), self.c = fusion.coef_[0], fusion.intercept_[0]
        if self.a <= 0 or self.b <= 0:
            raise SystemExit(f"fusion weights must be positive (more evidence, more belief): {self.a:.3f}, {self.b:.3f}")

    def weights(self) -> tuple[np.ndarray, float]:
        """The scene probe as a linear function of the raw log-probabilities (zero where the
        criterion is not fused)."""
        w = self.probe.coef_[0] / self.sd
        if self.b == 0:
            return np.zeros_like(w), 0.0
        return w, float(self.probe.intercept_[0] - (w * self.mu).sum())

    def predict(self, probe: np.ndarray, scene: np.ndarray) -> np.ndarray:
        """The fused probability, from the score it refines and the scene probe's logit."""
        return 1 / (1 + np.exp(-(self.a * logit(probe) + self.b * scene + self.c)))


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


def generate(rows: list[dict], folds: np.ndarray, photos: Path, per_parcel: int) -> Generated:
    """`location_identifiable` samples from `plain.py`: each labelled parcel of the training
    photos on `per_parcel` generated plain backgrounds (0), and the same cut-out on as many
    parcel-free entrance photos of its own fold (1), so that the paste says nothing."""
    scene = scene_session((ROOT / "scene.onnx").read_bytes())
    entrances: dict[int, list[dict]] = {}
    for r, k in zip(rows, folds):
        if not r["extra"] and r["package_visible"] == "0" and r["location_identifiable"] == "1":
            entrances.setdefault(int(k), []).append(r)
    x, y, f = [], [], []
    for r, k in zip(rows, folds):
        box = None if r["extra"] else package_box(photos / "boxes" / f"{r['id']}.txt")
        if box is None:
            continue
        rng = random.Random("plain-" + r["id"])
        im = load_photo(r["path"])
        for _ in range(per_parcel):
            x.append(scene.run(None, {"image": scene_input(plain_sample(im, box, rng))})[0][0]), y.append(0), f.append(k)
            door = load_photo(photos / rng.choice(entrances[int(k)])["file"])
            x.append(scene.run(None, {"image": scene_input(scene_sample(im, box, door, rng))})[0][0]), y.append(1), f.append(k)
    return Generated(np.array(x, np.float64), np.array(y), np.array(f))


def scene_oof(x: np.ndarray, y: np.ndarray, folds: np.ndarray, c: float, keep: np.ndarray, gen: Generated) -> np.ndarray:
    """Out-of-fold scene-probe logits over the photos in `keep` (others left at 0); each fold's
    probe also learns the generated samples made from the other folds' photos."""
    out = np.zeros(len(y))
    for k in range(FOLDS):
        tr, te = keep & (folds != k), keep & (folds == k)
        if te.any():
            g = gen.without(k)
            xs, ys = np.r_[x[tr], g.x], np.r_[y[tr], g.y]
            mu, sd = xs.mean(0), xs.std(0) + 1e-6
            m = LogisticRegression(C=c, max_iter=5000).fit((xs - mu) / sd, ys)
            out[te] = m.decision_function((x[te] - mu) / sd)
    return out


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
    """`criteria` [1, 4]: the heads' three criteria (`probe`) fused with `scene` [1, 3] by
    `fuse_a`, `fuse_b`, `fuse_c`, raised only (the larger of the fusion and the heads) where
    `raise_mask` is 1, and held in hand passed through."""
    return [
        N("Slice", ["probe", "s0", "s3", "ax"], ["p3"]),
        *fusion_nodes("p3", scene, "fuse_a", "fuse_b", "fuse_c", "fused_both"),
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


def export(fits: list[Fit], photo: Fit, path: Path, raise_only: tuple[bool, bool, bool] = (False, False, False)) -> None:
    pw, pb = photo.weights()
    consts = {
        "scene_w": np.stack([f.weights()[0] for f in fits], axis=1).astype(np.float32),  # [1000, 3]
        "scene_b": np.array([f.weights()[1] for f in fits], np.float32),
        "fuse_a": np.array([f.a for f in fits], np.float32),
        "fuse_b": np.array([f.b for f in fits], np.float32),
        "fuse_c": np.array([f.c for f in fits], np.float32),
        "raise_mask": np.array([raise_only], np.float32),
        "photo_w": pw.astype(np.float32)[:, None], "photo_b": np.array([pb], np.float32),
        "photo_a": np.array([photo.a], np.float32), "photo_bb": np.array([photo.b], np.float32),
        "photo_c": np.array([photo.c], np.float32),
    }
    nodes = [
        N("MatMul", ["logprobs", "scene_w"], ["scene_mm"]),
        N("Add", ["scene_mm", "scene_b"], ["scene_logit"]),
        *criteria_nodes("scene_logit"),
        # not a photo: the quality model's score fused with the scene's not-a-photo probe
        N("MatMul", ["logprobs", "photo_w"], ["photo_mm"]),
        N("Add", ["photo_mm", "photo_b"], ["photo_logit"]),
        N("Slice", ["quality", "s3", "s4", "ax"], ["q_np"]),
        *fusion_nodes("q_np", "photo_logit", "photo_a", "photo_bb", "photo_c", "not_a_photo"),
        N("Slice", ["quality", "s0", "s3", "ax"], ["q3"]),
        N("Concat", ["q3", "not_a_photo"], ["scores"], axis=1),
    ]
    save(nodes, {"probe": [1, 4], "logprobs": [1, 1000], "quality": [1, 4]}, {"criteria": [1, 4], "scores": [1, 4]},
         consts, path, "proofshot fit_scene.py",
         "issue 19: heads' criteria, and quality's not_a_photo, fused with probes on EfficientNet-Lite0's ImageNet "
         "log-probabilities")


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
    ap.add_argument("--out", type=Path, default=ROOT)
    args = ap.parse_args()

    rows, folds = read(args.photos, args.extra)
    print(f"{len(rows)} clear photos ({sum(r['extra'] for r in rows)} from --extra)")
    probe, x = signals(rows, folds)
    y = {c: np.array([int(r[c]) for r in rows]) for c in FUSED}
    gen = {c: Generated() for c in FUSED}
    if args.generated:
        gen["location_identifiable"] = generate(rows, folds, args.photos, args.generated)
        print(f"location_identifiable: {len(gen['location_identifiable'].y)} generated samples ({args.generated} plain and "
              f"{args.generated} entrance backgrounds per labelled parcel)")
    everything = np.ones(len(rows), bool)

    best = {}
    for k in FUSED:
        best[k], loss = choose_c(x, y[k], folds, args.c, gen[k])
        print(f"{k}: scene probe's out-of-fold log loss " + ", ".join(f"{v:.3f} at C={c}" for c, v in loss.items())
              + f"; C={best[k]}")

    oof = {k: scene_oof(x, y[k], folds, best[k], everything, gen[k]) for k in FUSED}
    shipped = [Fit(x, probe[:, i], oof[k], y[k], best[k], k in args.fuse, gen[k]) for i, k in enumerate(FUSED)]
    for i, (k, fit) in enumerate(zip(FUSED, shipped)):
        heads = np.clip(probe[:, i], EPS, 1 - EPS)
        if fit.b == 0:
            print(f"{k}: the heads' probability passes through")
            continue
        fused = fit.predict(heads, oof[k])
        if k in args.raise_only:
            fused = np.maximum(fused, heads)
        print(f"{k}: {fit.a:.3f} * logit(heads) + {fit.b:.3f} * scene + {fit.c:.3f}"
              f"{' (raises only)' if k in args.raise_only else ''}; out-of-fold log loss heads {log_loss(y[k], heads):.3f}, "
              f"fused {log_loss(y[k], fused):.3f} (fusion fitted on these scores)")
    loc = FUSED.index("location_identifiable")
    fused = shipped[loc].predict(probe[:, loc], oof["location_identifiable"])
    neg = y["location_identifiable"] == 0
    print(f"location_identifiable below 0.30 (fails): heads {(probe[neg, loc] < 0.3).sum()} of {neg.sum()} photos without a "
          f"location, {(probe[~neg, loc] < 0.3).sum()} of {(~neg).sum()} with one; fused {(fused[neg] < 0.3).sum()} and "
          f"{(fused[~neg] < 0.3).sum()}")

    prows, pfolds = read(args.photos, args.extra, clear_only=False)
    py = np.array([int(r["extra"] and r["subgroup"] == "not_a_photo") for r in prows])
    px, pq, pgen = photo_signals(prows, pfolds, args.non_photos, args.non_photo_kinds)
    pc, ploss = choose_c(px, py, pfolds, args.c, pgen)
    print(f"not a photo: {len(prows)} real photos ({py.sum()} not photos), {len(pgen.y)} generated non-photos; scene probe's "
          "out-of-fold log loss " + ", ".join(f"{v:.3f} at C={c}" for c, v in ploss.items()) + f"; C={pc}")
    poof = scene_oof(px, py, pfolds, pc, np.ones(len(py), bool), pgen)
    photo = Fit(px, pq, poof, py, pc, args.not_a_photo, pgen)
    fused = photo.predict(pq, poof)
    real = py == 0
    print(f"not a photo: {photo.a:.3f} * logit(quality) + {photo.b:.3f} * scene + {photo.c:.3f}; out-of-fold, above 0.5: "
          f"quality {(pq[~real] > 0.5).sum()} of {(~real).sum()} non-photos and {(pq[real] > 0.5).sum()} of {real.sum()} photos, "
          f"fused {(fused[~real] > 0.5).sum()} and {(fused[real] > 0.5).sum()} (fusion fitted on these scores)")

    raise_only = tuple(k in args.raise_only for k in FUSED)
    export(shipped, photo, args.out / "criteria.onnx", raise_only)
    print(f"wrote {args.out / 'criteria.onnx'}")
    for f in range(FOLDS):
        keep = folds != f
        # the fold's fusion reads out-of-fold scene scores computed without fold f's photos
        inner = {k: scene_oof(x, y[k], folds, best[k], keep, gen[k].without(f)) for k in FUSED}
        fits = [
            Fit(x[keep], probe[keep, i], inner[k][keep], y[k][keep], best[k], k in args.fuse, gen[k].without(f))
            for i, k in enumerate(FUSED)
        ]
        pkeep = pfolds != f
        pinner = scene_oof(px, py, pfolds, pc, pkeep, pgen.without(f))
        fold_photo = Fit(px[pkeep], pq[pkeep], pinner[pkeep], py[pkeep], pc, args.not_a_photo, pgen.without(f))
        export(fits, fold_photo, args.out / "cv" / f"fold-{f}" / "criteria.onnx", raise_only)
    print(f"wrote {args.out / 'cv'}/fold-*/criteria.onnx")


if __name__ == "__main__":
    main()
