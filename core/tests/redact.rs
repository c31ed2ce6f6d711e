//! Redaction with the real face detector on people the project draws: every face is found,
//! none is left in the redacted copy, the rest of the photo is kept, and no metadata leaves.

mod common;

use proofshot_core::{Frame, Limits, RedactOptions};
use proofshot_fixtures::{encode_jpeg, person_at_door, porch_scene, FacePlacement};

/// Faces the detector is sure of (MediaPipe's own operating point, 0.5). Redaction blurs from
/// a lower score, and at that score the detector also fires on head-shaped blurs.
fn faces_in(jpeg: &[u8]) -> usize {
    let frame = Frame::from_encoded(jpeg, &Limits::default()).expect("decodes");
    common::verifier().faces(&frame).expect("runs").iter().filter(|f| f.score >= SURE).count()
}

const SURE: f32 = 0.5;

/// A porch with a visitor at the door (a large face) and a passer-by further back (small),
/// as a JPEG stored with `orientation`.
fn visitors(width: u32, height: u32, orientation: Option<u16>) -> (Vec<u8>, [FacePlacement; 2]) {
    let (w, h) = (width as f32, height as f32);
    let faces = [
        FacePlacement { cx: w * 0.22, cy: h * 0.35, width: w * 0.09 },
        FacePlacement { cx: w * 0.85, cy: h * 0.30, width: w * 0.035 },
    ];
    (encode_jpeg(&person_at_door(width, height, 5, &faces), 90, orientation), faces)
}

#[test]
fn every_drawn_face_is_found_and_none_is_left_after_redaction() {
    let (jpeg, placed) = visitors(1600, 1200, None);
    let frame = Frame::from_encoded(&jpeg, &Limits::default()).expect("decodes");
    let found = common::verifier().faces(&frame).expect("runs");
    for p in &placed {
        let (cx, cy) = (p.cx / 1600.0, p.cy / 1200.0);
        assert!(
            found.iter().any(|f| cx > f.x && cx < f.x + f.w && cy > f.y && cy < f.y + f.h),
            "no face found around {p:?}: {found:?}"
        );
    }
    let empty = encode_jpeg(&porch_scene(1600, 1200, 5), 90, None);
    assert_eq!(faces_in(&empty), 0, "nobody on the porch");
    let empty_frame = Frame::from_encoded(&empty, &Limits::default()).expect("decodes");
    assert!(common::verifier().people(&empty_frame).expect("runs").is_empty(), "nobody on the porch");

    let redacted = common::verifier().redact_encoded(&jpeg, &RedactOptions::default()).expect("redacts");
    assert_eq!((redacted.width, redacted.height), (1600, 1200));
    assert_eq!(redacted.regions.len(), found.len());
    assert_eq!(faces_in(&redacted.jpeg), 0, "a face survived redaction");
    let people = common::verifier()
        .redact_encoded(&jpeg, &RedactOptions { people: true, ..Default::default() })
        .expect("redacts");
    assert_eq!(faces_in(&people.jpeg), 0);
}

#[test]
fn the_copy_keeps_the_scene_and_drops_the_metadata() {
    let (jpeg, placed) = visitors(1200, 900, None);
    let original = Frame::from_encoded_at(&jpeg, &Limits::default(), u32::MAX).expect("decodes");
    let redacted = common::verifier().redact_encoded(&jpeg, &RedactOptions::default()).expect("redacts");
    let copy = Frame::from_encoded_at(&redacted.jpeg, &Limits::default(), u32::MAX).expect("decodes");
    // the door and the parcel, well away from both faces, are unchanged but for JPEG noise
    let (o, c) = (original.rgb(), copy.rgb());
    let mut worst = 0i32;
    for y in 700..800 {
        for x in 500..700 {
            let i = (y * 1200 + x) * 3;
            worst = worst.max((i32::from(o[i]) - i32::from(c[i])).abs());
        }
    }
    assert!(worst < 40, "the scene changed by {worst}");
    // across the large face's eyes, the detail is gone: far less change from pixel to pixel
    let (fx, fy) = (placed[0].cx as usize, (placed[0].cy - placed[0].width * 0.1) as usize);
    let detail = |img: &[u8]| -> i32 {
        (fx - 50..fx + 50)
            .map(|x| (i32::from(img[(fy * 1200 + x) * 3]) - i32::from(img[(fy * 1200 + x + 1) * 3])).abs())
            .sum()
    };
    assert!(detail(c) * 5 < detail(o), "detail across the eyes: {} before, {} after", detail(o), detail(c));
    assert!(!redacted.jpeg.windows(2).any(|m| m == [0xFF, 0xE1]), "no EXIF segment in the copy");
}

#[test]
fn orientation_is_applied_and_the_size_can_be_capped() {
    // stored sideways with EXIF orientation 6 (rotate 90° clockwise to view)
    let (rotated, _) = visitors(1200, 900, Some(6));
    let options = RedactOptions { max_long_side: 800, ..Default::default() };
    let r = common::verifier().redact_encoded(&rotated, &options).expect("redacts");
    assert_eq!((r.width, r.height), (600, 800));
    let copy = Frame::from_encoded(&r.jpeg, &Limits::default()).expect("decodes");
    assert_eq!((copy.width(), copy.height()), (600, 800));
}

#[test]
fn extreme_shapes_are_bounded_or_refused_before_any_work() {
    use proofshot_core::{Error, FrameError};
    use proofshot_fixtures::bombs::{self, PngColor};
    // a strip: the face detector looks at a bounded number of tiles (faces.rs `views`), and the
    // copy is written at its own size
    let strip = bombs::png_black(20_000, 1, 8, PngColor::Gray, false);
    let r = common::verifier().redact_encoded(&strip, &RedactOptions::default()).expect("redacts");
    assert_eq!((r.width, r.height), (20_000, 1));
    // a side no JPEG can have: refused as an invalid image at the header, not after the work
    for (w, h) in [(100_000_000, 1), (1, 100_000)] {
        let bytes = bombs::png_header_only(w, h, 8, PngColor::Gray, false);
        match common::verifier().redact_encoded(&bytes, &RedactOptions::default()) {
            Err(Error::Frame(FrameError::SideTooLong { .. })) => {}
            other => panic!("expected SideTooLong for {w}x{h}, got {other:?}"),
        }
    }
}
