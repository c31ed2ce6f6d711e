//! Redaction: a copy of the photo that protects whoever was in frame, made on the device
//! before anything leaves it. Faces (and optionally whole people) are pixelated into coarse
//! blocks, and the copy is a fresh JPEG with no metadata (no EXIF location, no camera serial);
//! the original's orientation is applied to the pixels.

use crate::frame::Frame;
use crate::verdict::BoundingBox;
use crate::vision::Detection;

/// How to redact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedactOptions {
    /// Longest side of the copy in pixels; `u32::MAX` keeps the photo's full size.
    pub max_long_side: u32,
    /// JPEG quality of the copy, 1 to 100.
    pub jpeg_quality: u8,
    /// Also pixelate every person the Open Images detector finds, whole (from a score of
    /// [`PERSON_THRESHOLD`](crate::PERSON_THRESHOLD)).
    pub people: bool,
}

impl Default for RedactOptions {
    fn default() -> Self {
        Self { max_long_side: u32::MAX, jpeg_quality: 85, people: false }
    }
}

/// A redacted copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Redaction {
    /// The copy, JPEG.
    pub jpeg: Vec<u8>,
    /// Its size.
    pub width: u32,
    /// Its size.
    pub height: u32,
    /// What was pixelated, in pixels of the copy: faces (label `face`), then with
    /// [`RedactOptions::people`] people (label `person`), each strongest first.
    pub regions: Vec<BoundingBox>,
    /// Time taken (decoding included), in milliseconds.
    pub elapsed_ms: f64,
}

/// Pixelated cells across a face's region: coarse enough that no feature survives.
const CELLS_ACROSS_FACE: f32 = 3.0;
/// Pixelated cells across a person's width.
const CELLS_ACROSS_PERSON: f32 = 8.0;

/// The region pixelated for a detection (fractions of the image), and the cell size in
/// pixels for an image `width` x `height`: a face grown to take in hair, ears and chin; a
/// person grown by a twentieth.
pub(crate) fn region(d: &Detection, width: u32, height: u32) -> ((f32, f32, f32, f32), u32) {
    let (pw, ph) = (d.w * width as f32, d.h * height as f32);
    if d.label == "face" {
        let r = (d.x - 0.25 * d.w, d.y - 0.4 * d.h, d.x + 1.25 * d.w, d.y + 1.25 * d.h);
        (r, (pw.max(ph) / CELLS_ACROSS_FACE).max(2.0) as u32)
    } else {
        let r = (d.x - 0.05 * d.w, d.y - 0.05 * d.h, d.x + 1.05 * d.w, d.y + 1.05 * d.h);
        (r, (pw / CELLS_ACROSS_PERSON).max(2.0) as u32)
    }
}

/// Pixelates the detections (faces and people) in `image` (full resolution) and encodes it.
pub(crate) fn redact(mut image: Frame, found: &[Detection], options: &RedactOptions) -> Result<Redaction, String> {
    let (w, h) = (image.width(), image.height());
    // people first: a face inside a person is then pixelated again, at its own finer size
    let mut order: Vec<&Detection> = found.iter().collect();
    order.sort_by_key(|d| d.label == "face");
    for d in order {
        let ((x0, y0, x1, y1), block) = region(d, w, h);
        let px = |v: f32, extent: u32| (v * extent as f32).round().clamp(0.0, extent as f32) as u32;
        let rect = (px(x0, w), px(y0, h), px(x1, w), px(y1, h));
        pixelate(image.rgb_mut(), w, rect, block);
        // soften the block edges too: a grid of hard-edged cells still has structure
        smooth(image.rgb_mut(), w, rect, block);
    }
    let regions = found
        .iter()
        .map(|f| BoundingBox {
            label: f.label,
            score: f.score,
            x: (f.x * w as f32).max(0.0),
            y: (f.y * h as f32).max(0.0),
            width: f.w * w as f32,
            height: f.h * h as f32,
        })
        .collect();
    let (ew, eh) = (
        u16::try_from(w).map_err(|_| "image too wide for JPEG")?,
        u16::try_from(h).map_err(|_| "image too tall for JPEG")?,
    );
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, options.jpeg_quality.clamp(1, 100))
        .encode(image.rgb(), ew, eh, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| e.to_string())?;
    Ok(Redaction { jpeg, width: w, height: h, regions, elapsed_ms: 0.0 })
}

/// Replaces every `block` x `block` cell of the rectangle `(x0, y0, x1, y1)` with its mean
/// colour.
fn pixelate(rgb: &mut [u8], width: u32, (x0, y0, x1, y1): (u32, u32, u32, u32), block: u32) {
    let stride = width as usize * 3;
    for by in (y0..y1).step_by(block as usize) {
        for bx in (x0..x1).step_by(block as usize) {
            let (ey, ex) = ((by + block).min(y1), (bx + block).min(x1));
            let mut sum = [0u64; 3];
            for y in by..ey {
                for p in
                    rgb[y as usize * stride + bx as usize * 3..y as usize * stride + ex as usize * 3].chunks_exact(3)
                {
                    for k in 0..3 {
                        sum[k] += u64::from(p[k]);
                    }
                }
            }
            let n = u64::from((ey - by) * (ex - bx)).max(1);
            let mean = sum.map(|s| ((s + n / 2) / n) as u8);
            for y in by..ey {
                for p in rgb[y as usize * stride + bx as usize * 3..y as usize * stride + ex as usize * 3]
                    .chunks_exact_mut(3)
                {
                    p.copy_from_slice(&mean);
                }
            }
        }
    }
}

/// A box blur of radius `r` inside the rectangle, rows then columns (edges clamped to it).
fn smooth(rgb: &mut [u8], width: u32, (x0, y0, x1, y1): (u32, u32, u32, u32), r: u32) {
    if r == 0 || x1 <= x0 || y1 <= y0 {
        return;
    }
    let at = |x: u32, y: u32| (y as usize * width as usize + x as usize) * 3;
    let mut line: Vec<[u8; 3]> = Vec::new();
    for horizontal in [true, false] {
        let (outer, inner) = if horizontal { ((y0, y1), (x0, x1)) } else { ((x0, x1), (y0, y1)) };
        for o in outer.0..outer.1 {
            let pos = |i: u32| if horizontal { at(i, o) } else { at(o, i) };
            line.clear();
            line.extend((inner.0..inner.1).map(|i| {
                let p = pos(i);
                [rgb[p], rgb[p + 1], rgb[p + 2]]
            }));
            // a running sum over the window [i - r, i + r], clamped to the line
            let n = line.len() as i64;
            let (r, mut sum) = (i64::from(r), [0u32; 3]);
            for px in &line[..=(r.min(n - 1) as usize)] {
                for k in 0..3 {
                    sum[k] += u32::from(px[k]);
                }
            }
            for (i, target) in (inner.0..inner.1).enumerate() {
                let i = i as i64;
                let count = ((i + r).min(n - 1) - (i - r).max(0) + 1) as u32;
                let p = pos(target);
                for k in 0..3 {
                    rgb[p + k] = ((sum[k] + count / 2) / count) as u8;
                }
                if i + r + 1 < n {
                    for k in 0..3 {
                        sum[k] += u32::from(line[(i + r + 1) as usize][k]);
                    }
                }
                if i - r >= 0 {
                    for k in 0..3 {
                        sum[k] -= u32::from(line[(i - r) as usize][k]);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixelate_fills_each_block_with_its_mean_and_leaves_the_rest() {
        let width = 4;
        let mut rgb: Vec<u8> = (0..4 * 2).flat_map(|i| [i as u8 * 10; 3]).collect();
        pixelate(&mut rgb, width, (0, 0, 2, 2), 2);
        let px = |x: usize, y: usize| rgb[(y * 4 + x) * 3];
        // block (0,0)-(2,2) holds 0, 10, 40, 50: mean 25
        assert_eq!([px(0, 0), px(1, 0), px(0, 1), px(1, 1)], [25; 4]);
        assert_eq!([px(2, 0), px(3, 1)], [20, 70], "outside the rectangle: untouched");
    }

    #[test]
    fn smooth_averages_within_the_radius_and_the_rectangle() {
        let width = 5;
        let mut rgb: Vec<u8> = [0u8, 0, 90, 0, 0].iter().flat_map(|&v| [v; 3]).collect();
        smooth(&mut rgb, width, (0, 0, 4, 1), 1);
        let row: Vec<u8> = rgb.chunks(3).map(|p| p[0]).collect();
        // windows clamp to the rectangle [0, 4): (0+0)/2, (0+0+90)/3, (0+90+0)/3, (90+0)/2
        assert_eq!(row, [0, 30, 30, 45, 0]);
    }

    #[test]
    fn regions_grow_faces_more_than_people_and_faces_get_finer_cells() {
        let face = Detection { label: "face", score: 0.9, x: 0.4, y: 0.2, w: 0.1, h: 0.1 };
        let ((x0, y0, x1, y1), block) = region(&face, 1000, 1000);
        assert!(x0 < 0.4 && x1 > 0.5 && y0 < 0.2 && y1 > 0.3);
        assert_eq!(block, 33, "three cells across a 100 px face");
        let person = Detection { label: "person", w: 0.3, h: 0.6, ..face };
        let ((px0, _, px1, _), block) = region(&person, 1000, 1000);
        assert!((px0 - 0.385).abs() < 1e-6 && (px1 - 0.715).abs() < 1e-6);
        assert_eq!(block, 37, "eight cells across a 300 px person");
    }
}
