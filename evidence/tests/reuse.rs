//! Reused-photo detection on photos the project renders: near-copies of a photo recorded for
//! one stop are rejected for another; different photos of the same porch are not.

mod common;

use common::*;
use proofshot_core::{hex_sha256, Frame, Limits, PhotoHash, Policy, Reason};
use proofshot_evidence::{EvidenceStore, PhotoIdentity, StoreConfig, Submission};
use proofshot_fixtures::{empty_porch, encode_jpeg, porch_scene, Rgb};

fn identity(jpeg: &[u8]) -> PhotoIdentity {
    let frame = Frame::from_encoded(jpeg, &Limits::default()).expect("decodes");
    PhotoIdentity { sha256: hex_sha256(jpeg), phash: PhotoHash::of(&frame), redacted_sha256: None }
}

fn offer(store: &EvidenceStore, stop: &str, jpeg: &[u8]) -> Submission {
    let policy = Policy::default_policy();
    store
        .record_attempt(&policy, ("test", &MODELS), stop, verdict(&policy, true), &identity(jpeg), Default::default())
        .expect("recorded")
}

fn resized(img: &Rgb, long_side: u32) -> Rgb {
    let f =
        Frame::from_rgb8(img.width, img.height, &img.data, &Limits::default()).expect("frame").downscaled(long_side);
    Rgb { width: f.width(), height: f.height(), data: f.rgb().to_vec() }
}

#[test]
fn near_copies_offered_for_another_stop_are_rejected_as_reused() {
    let dir = temp_dir("reuse-copies");
    let store = open(&dir.join("evidence.db"));
    let original = porch_scene(1200, 900, 7);
    let first = offer(&store, "stop-a", &encode_jpeg(&original, 90, None));
    assert!(first.verdict.compliant && first.reuse.is_none());
    let copies = [
        ("re-encoded", encode_jpeg(&original, 55, None)),
        ("resized", encode_jpeg(&resized(&original, 640), 85, None)),
        ("cropped 5% all round", encode_jpeg(&original.crop(60, 45, 1080, 810), 85, None)),
        ("cropped 8% off the left", encode_jpeg(&original.crop(96, 0, 1104, 900), 85, None)),
        (
            "brighter",
            encode_jpeg(
                &Rgb { data: original.data.iter().map(|v| v.saturating_add(35)).collect(), ..original.clone() },
                85,
                None,
            ),
        ),
        (
            "darker",
            encode_jpeg(
                &Rgb { data: original.data.iter().map(|&v| (f32::from(v) * 0.7) as u8).collect(), ..original.clone() },
                85,
                None,
            ),
        ),
    ];
    for (i, (what, jpeg)) in copies.iter().enumerate() {
        let s = offer(&store, &format!("stop-b{i}"), jpeg);
        let reuse = s.reuse.as_ref().unwrap_or_else(|| panic!("{what}: not detected"));
        assert_eq!(reuse.record_id, first.record.record_id, "{what}");
        assert_eq!(s.verdict.category, "invalid_pod", "{what}");
        assert!(!s.verdict.compliant, "{what}");
        assert_eq!(s.verdict.rejected_for, Some(Reason::ReusedPhoto), "{what}");
        let record: serde_json::Value = serde_json::from_str(&s.record.json).expect("json");
        assert_eq!(record["verdict"]["rejected_for"], "reused_photo", "{what}");
        assert_eq!(record["reuse"]["record_id"], first.record.record_id.as_str(), "{what}");
    }
}

/// Handheld photos of one porch never share a framing exactly. (The same framing with only a
/// small parcel added or taken away, as a fixed doorbell camera sees it, lands within the
/// distance: a known limit of a global hash, see the README.)
#[test]
fn different_photos_of_the_same_porch_are_not_reuse() {
    let dir = temp_dir("reuse-same-porch");
    let store = open(&dir.join("evidence.db"));
    // one porch, rendered large: photos are different framings of it, days apart
    let porch = porch_scene(1600, 1200, 11);
    offer(&store, "stop-a", &encode_jpeg(&porch.crop(0, 0, 1200, 900), 90, None));
    let others = [
        ("framed further right and lower", porch.crop(400, 300, 1200, 900)),
        ("framed wider", resized(&porch, 1200)),
        ("empty, framed wider", resized(&empty_porch(1600, 1200, 11), 1200)),
    ];
    for (i, (what, img)) in others.iter().enumerate() {
        let s = offer(&store, &format!("stop-b{i}"), &encode_jpeg(img, 90, None));
        assert!(s.reuse.is_none(), "{what}: taken for a copy ({:?})", s.reuse);
        assert!(s.verdict.compliant, "{what}");
    }
}

#[test]
fn the_same_stop_may_retake_and_reuse_can_be_turned_off() {
    let dir = temp_dir("reuse-same-stop");
    let jpeg = encode_jpeg(&porch_scene(800, 600, 3), 90, None);
    let policy = Policy::default_policy();
    let id = identity(&jpeg);
    let store = open(&dir.join("evidence.db"));
    // a failed first attempt, then the same photo again at the same stop: a retake, not reuse
    store
        .record_attempt(&policy, ("test", &MODELS), "stop-a", verdict(&policy, false), &id, Default::default())
        .expect("first");
    let again = store
        .record_attempt(&policy, ("test", &MODELS), "stop-a", verdict(&policy, true), &id, Default::default())
        .expect("second");
    assert!(again.reuse.is_none() && again.verdict.compliant);
    let off =
        EvidenceStore::open(dir.join("off.db"), signer(), StoreConfig { reuse_window_ms: 0, ..Default::default() })
            .expect("opens");
    offer(&off, "stop-a", &jpeg);
    assert!(offer(&off, "stop-b", &jpeg).reuse.is_none(), "detection off");
}
