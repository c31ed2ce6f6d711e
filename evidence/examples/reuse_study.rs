//! Measures the perceptual hash behind reused-photo detection on real photos: how far
//! near-copies of a photo land from it (they must match) and how close different photos come
//! (they must not), to choose `reuse_max_distance`.
//!
//! ```text
//! cargo run --release -p proofshot-evidence --example reuse_study -- ../shared/photos/labels.csv
//! ```
//!
//! Copies are made from each photo's working image: JPEG re-encoded at quality 50, resized
//! to half, cropped 5 % on every side, cropped 10 % off one side, brighter (+40) and darker
//! (x0.6). Photos of the set with the same source path (a degraded derivative, or one photo
//! in two datasets) are copies and are not compared as different photos.

use std::collections::HashMap;
use std::path::Path;

use proofshot_core::{Frame, Limits, PhotoHash};
use proofshot_fixtures::{encode_jpeg, Rgb};

fn main() {
    let labels = std::env::args().nth(1).unwrap_or_else(|| "../shared/photos/labels.csv".into());
    let root = Path::new(&labels).parent().expect("labels.csv in a folder").to_path_buf();
    let text = std::fs::read_to_string(&labels).unwrap_or_else(|e| panic!("{labels}: {e}"));
    let limits = Limits::default();
    let mut photos: Vec<(String, String, PhotoHash)> = Vec::new(); // id, group, hash
    let mut copies: HashMap<&str, Vec<u32>> = HashMap::new();
    let kinds = ["jpeg q50", "half size", "crop 5% all sides", "crop 10% one side", "brighter +40", "darker x0.6"];
    for line in text.lines().skip(1) {
        let mut fields = line.split(',');
        let (Some(id), Some(file)) = (fields.next(), fields.next()) else { continue };
        // copies in the set (a degraded derivative, the same photo in two datasets) share a source
        let group = line.split(',').nth(9).unwrap_or(id);
        let bytes = std::fs::read(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let frame = Frame::from_encoded(&bytes, &limits).expect("decodes");
        let hash = PhotoHash::of(&frame);
        let img = Rgb { width: frame.width(), height: frame.height(), data: frame.rgb().to_vec() };
        for (kind, copy) in kinds.iter().zip(variants(&img)) {
            let copy = Frame::from_encoded(&encode_jpeg(&copy, 90, None), &limits).expect("decodes");
            copies.entry(kind).or_default().push(hash.distance(&PhotoHash::of(&copy)));
        }
        photos.push((id.to_owned(), group.to_owned(), hash));
    }
    println!("{} photos", photos.len());
    println!("\nnear-copies (must match): distance from the original");
    println!("| copy | median | max | within 8 | within 10 | within 12 |");
    println!("|---|---|---|---|---|---|");
    for kind in kinds {
        let mut d = copies[kind].clone();
        d.sort_unstable();
        let within = |t: u32| d.iter().filter(|&&x| x <= t).count() as f64 / d.len() as f64;
        println!(
            "| {kind} | {} | {} | {:.3} | {:.3} | {:.3} |",
            d[d.len() / 2],
            d[d.len() - 1],
            within(8),
            within(10),
            within(12)
        );
    }
    let mut pairs = Vec::new();
    for (i, a) in photos.iter().enumerate() {
        for b in &photos[i + 1..] {
            if a.1 != b.1 {
                pairs.push((a.2.distance(&b.2), a.0.as_str(), b.0.as_str()));
            }
        }
    }
    pairs.sort_unstable();
    println!("\ndifferent photos (must not match): {} pairs", pairs.len());
    println!("| distance at most | pairs |");
    println!("|---|---|");
    for t in [6, 8, 10, 12, 14, 16] {
        println!("| {t} | {} |", pairs.iter().filter(|p| p.0 <= t).count());
    }
    println!("\nclosest different pairs:");
    for (d, a, b) in pairs.iter().take(8) {
        println!("  {d:2}  {a} {b}");
    }
}

fn variants(img: &Rgb) -> Vec<Rgb> {
    let (w, h) = (img.width, img.height);
    let jpeg = {
        let f = Frame::from_encoded(&encode_jpeg(img, 50, None), &Limits::default()).expect("decodes");
        Rgb { width: f.width(), height: f.height(), data: f.rgb().to_vec() }
    };
    let half = {
        let f = Frame::from_rgb8(w, h, &img.data, &Limits::default()).expect("frame").downscaled(w.max(h) / 2);
        Rgb { width: f.width(), height: f.height(), data: f.rgb().to_vec() }
    };
    vec![
        jpeg,
        half,
        img.crop(w / 20, h / 20, w - w / 10, h - h / 10),
        img.crop(w / 10, 0, w - w / 10, h),
        map(img, |v| v.saturating_add(40)),
        map(img, |v| (f32::from(v) * 0.6) as u8),
    ]
}

fn map(img: &Rgb, f: impl Fn(u8) -> u8) -> Rgb {
    Rgb { width: img.width, height: img.height, data: img.data.iter().map(|&v| f(v)).collect() }
}
