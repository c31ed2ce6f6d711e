//! A perceptual hash of a photo: near-identical copies (re-encoded, resized, slightly
//! cropped, brighter or darker) hash to nearby values, different photos far apart.
//!
//! The classic DCT hash: the frame's luma, box-averaged to 32 x 32, a 2-D DCT-II, and the
//! 8 x 8 lowest frequencies; bit `8 * v + u` (`u` horizontal, `v` vertical frequency) is set
//! when that coefficient exceeds the median of the 63 non-DC ones. The DC term carries only
//! overall brightness, so its bit is always 0. Compare hashes with [`hamming_distance`].
//!
//! The DCT hash shrugs off re-encoding, resizing and brightness, but not cropping: 5 % off
//! every side moves it about 10 bits. [`PhotoHash`] therefore also hashes nine cropped views
//! of the photo, and two photos are as close as their closest whole-to-view pair.

use crate::frame::Frame;
use crate::resample::downscale_rgb;

/// Side of the luma image the DCT runs on.
const SIDE: usize = 32;
/// Side of the block of low frequencies that make the hash.
const BLOCK: usize = 8;
/// Side of the luma thumbnail every hash of a photo is cut from (the frame squashed square).
const THUMB: usize = 128;

/// A photo's perceptual hashes: of the whole photo, and of nine views cropped by 10 % (the
/// centre, each side cut off, each corner kept), so that a slightly cropped copy still lands
/// near one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoHash {
    /// The whole photo.
    pub full: u64,
    /// The cropped views, in the order of `VIEWS`.
    pub crops: [u64; 9],
}

/// The cropped views as `(x, y, width, height)`, in fractions of the photo: 5 % off every
/// side; 10 % off the left, right, top or bottom; 10 % off two sides meeting at a corner.
const VIEWS: [(f32, f32, f32, f32); 9] = [
    (0.05, 0.05, 0.9, 0.9),
    (0.1, 0.0, 0.9, 1.0),
    (0.0, 0.0, 0.9, 1.0),
    (0.0, 0.1, 1.0, 0.9),
    (0.0, 0.0, 1.0, 0.9),
    (0.0, 0.0, 0.9, 0.9),
    (0.1, 0.0, 0.9, 0.9),
    (0.0, 0.1, 0.9, 0.9),
    (0.1, 0.1, 0.9, 0.9),
];

impl PhotoHash {
    /// The hashes of a frame.
    pub fn of(frame: &Frame) -> Self {
        let thumb = luma_thumb(frame);
        let t = THUMB as f32;
        let hash = |(x, y, w, h): (f32, f32, f32, f32)| hash_of(&resample(&thumb, x * t, y * t, w * t, h * t));
        Self { full: hash((0.0, 0.0, 1.0, 1.0)), crops: VIEWS.map(hash) }
    }

    /// How far apart two photos are: the smallest distance between one's whole-photo hash
    /// and the other's whole-photo or cropped-view hashes, either way round. 0 for copies.
    pub fn distance(&self, other: &Self) -> u32 {
        let one_way = |a: &Self, b: &Self| b.crops.iter().map(|&c| hamming_distance(a.full, c)).min().unwrap_or(64);
        hamming_distance(self.full, other.full).min(one_way(self, other)).min(one_way(other, self))
    }
}

/// The 64-bit perceptual hash of a whole frame ([`PhotoHash::full`]).
pub fn perceptual_hash(frame: &Frame) -> u64 {
    PhotoHash::of(frame).full
}

/// Bits in which two hashes differ: 0 for copies, around 32 for unrelated photos.
pub fn hamming_distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// The frame's luma, box-averaged to `THUMB x THUMB` (squashed square).
fn luma_thumb(frame: &Frame) -> Vec<f32> {
    let (w, h) = (frame.width().min(THUMB as u32), frame.height().min(THUMB as u32));
    let small = downscale_rgb(frame.rgb(), frame.width(), frame.height(), w, h);
    // a frame smaller than the thumbnail (never a real photo) is stretched by repeating pixels
    (0..THUMB * THUMB)
        .map(|i| {
            let (x, y) = ((i % THUMB) * w as usize / THUMB, (i / THUMB) * h as usize / THUMB);
            let p = &small[(y * w as usize + x) * 3..][..3];
            0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])
        })
        .collect()
}

/// The rectangle `(x, y, w, h)` of the thumbnail, box-averaged to `SIDE x SIDE`.
fn resample(thumb: &[f32], x: f32, y: f32, w: f32, h: f32) -> Vec<f32> {
    let span = |start: f32, extent: f32, i: usize| {
        let step = extent / SIDE as f32;
        let a = (start + i as f32 * step).floor() as usize;
        let b = ((start + (i + 1) as f32 * step).ceil() as usize).clamp(a + 1, THUMB);
        a..b
    };
    (0..SIDE * SIDE)
        .map(|i| {
            let (rows, cols) = (span(y, h, i / SIDE), span(x, w, i % SIDE));
            let n = (rows.len() * cols.len()) as f32;
            rows.flat_map(|r| thumb[r * THUMB..][cols.clone()].iter()).sum::<f32>() / n
        })
        .collect()
}

/// The hash of a `SIDE x SIDE` luma image: bit `i` set when low-frequency coefficient `i`
/// exceeds the median of the non-DC ones.
fn hash_of(luma: &[f32]) -> u64 {
    let coefficients = low_frequencies(luma);
    let mut ac: Vec<f32> = coefficients[1..].to_vec();
    ac.sort_by(f32::total_cmp);
    let median = ac[ac.len() / 2];
    coefficients.iter().enumerate().skip(1).filter(|(_, &c)| c > median).fold(0u64, |h, (i, _)| h | 1 << i)
}

/// The `BLOCK x BLOCK` lowest DCT-II coefficients of a `SIDE x SIDE` image, row-major by
/// vertical then horizontal frequency. Unnormalised: only their order matters.
fn low_frequencies(pixels: &[f32]) -> [f32; BLOCK * BLOCK] {
    // basis[k][n] = cos(pi * (2n + 1) * k / (2 * SIDE))
    let basis: Vec<[f32; SIDE]> = (0..BLOCK)
        .map(|k| {
            std::array::from_fn(|n| (std::f32::consts::PI * (2 * n + 1) as f32 * k as f32 / (2 * SIDE) as f32).cos())
        })
        .collect();
    // rows first: row_dct[y][u]
    let row_dct: Vec<[f32; BLOCK]> = pixels
        .chunks_exact(SIDE)
        .map(|row| std::array::from_fn(|u| row.iter().zip(&basis[u]).map(|(p, b)| p * b).sum()))
        .collect();
    std::array::from_fn(|i| {
        let (v, u) = (i / BLOCK, i % BLOCK);
        row_dct.iter().zip(&basis[v]).map(|(r, b)| r[u] * b).sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Limits;

    fn frame(width: u32, height: u32, f: impl Fn(u32, u32) -> [u8; 3]) -> Frame {
        let rgb: Vec<u8> =
            (0..height).flat_map(|y| (0..width).map(move |x| (x, y))).flat_map(|(x, y)| f(x, y)).collect();
        Frame::from_rgb8(width, height, &rgb, &Limits::default()).expect("valid frame")
    }

    fn scene(x: u32, y: u32, w: u32, h: u32) -> [u8; 3] {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let v = if (0.3..0.6).contains(&fx) && fy > 0.2 { 200 } else { (40.0 + 120.0 * fy) as u8 };
        let r = if fx > 0.7 && fy > 0.6 { 230 } else { v };
        [r, v, v / 2]
    }

    #[test]
    fn the_same_scene_at_another_size_or_brightness_hashes_alike() {
        let a = perceptual_hash(&frame(640, 480, |x, y| scene(x, y, 640, 480)));
        let b = perceptual_hash(&frame(320, 240, |x, y| scene(x, y, 320, 240)));
        let c = perceptual_hash(&frame(640, 480, |x, y| scene(x, y, 640, 480).map(|v| v.saturating_add(25))));
        assert!(hamming_distance(a, b) <= 4, "resized: {}", hamming_distance(a, b));
        assert!(hamming_distance(a, c) <= 6, "brighter: {}", hamming_distance(a, c));
    }

    #[test]
    fn a_mirrored_scene_hashes_far_apart() {
        let a = perceptual_hash(&frame(640, 480, |x, y| scene(x, y, 640, 480)));
        let b = perceptual_hash(&frame(640, 480, |x, y| scene(639 - x, y, 640, 480)));
        assert!(hamming_distance(a, b) >= 16, "mirrored: {}", hamming_distance(a, b));
    }

    #[test]
    fn the_dc_bit_is_never_set() {
        let h = perceptual_hash(&frame(64, 64, |x, y| [(x * 4) as u8, (y * 4) as u8, 0]));
        assert_eq!(h & 1, 0);
        assert_ne!(h, 0);
    }

    #[test]
    fn a_frame_smaller_than_the_hash_grid_is_hashed() {
        let h = perceptual_hash(&frame(5, 3, |x, y| [(x * 50) as u8, (y * 80) as u8, 9]));
        assert_ne!(h, 0);
    }

    #[test]
    fn hamming_distance_counts_differing_bits() {
        assert_eq!(hamming_distance(0b1011, 0b0001), 2);
        assert_eq!(hamming_distance(u64::MAX, 0), 64);
    }
}
