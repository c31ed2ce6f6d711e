//! Raw camera buffers (RGBA, BGRA, NV21, YUV 4:2:0 planes) into frames.
//!
//! Every plane is checked against the stated size (strides, lengths) before a pixel is read, so
//! a short or mis-described buffer is an error, never an out-of-bounds read. YUV is converted
//! with full-range BT.601, the matrix Android and iOS cameras use for their JPEG-style output.

use crate::frame::{Frame, FrameError, Limits, PixelFormat, Plane, RawImage, Result};
use crate::orientation::Orientation;

pub(crate) fn convert(image: &RawImage<'_>, limits: &Limits) -> Result<Frame> {
    let orientation =
        Orientation::from_degrees(image.rotation_degrees).ok_or(FrameError::BadRotation(image.rotation_degrees))?;
    let (w, h) = (image.width, image.height);
    limits.check(w, h)?;
    let (wu, hu) = (w as usize, h as usize);
    let (cw, ch) = (wu.div_ceil(2), hu.div_ceil(2));
    let planes = image.planes;
    let mut ds = Frame::downscaler(w, h);
    let mut row = vec![0u8; wu * 3];

    match image.format {
        PixelFormat::Rgba8888 | PixelFormat::Bgra8888 => {
            let [p] = expect_planes::<1>(image.format, planes, "1")?;
            check_plane(0, &p, wu * 4, hu, &[4])?;
            let (r, b) = if image.format == PixelFormat::Rgba8888 { (0, 2) } else { (2, 0) };
            for y in 0..hu {
                let src = &p.data[y * p.row_stride..y * p.row_stride + wu * 4];
                for (s, d) in src.chunks_exact(4).zip(row.chunks_exact_mut(3)) {
                    d.copy_from_slice(&[s[r], s[1], s[b]]);
                }
                ds.push_row(&row);
            }
        }
        PixelFormat::Nv21 => {
            // One plane: Y rows, then interleaved V/U rows at the same stride. Two planes: Y, V/U.
            let (y_plane, vu_plane, vu_index) = match planes {
                [p] => {
                    check_plane(0, p, wu, hu, &[1])?;
                    let vu = Plane { data: p.data.get(p.row_stride * hu..).unwrap_or(&[]), ..*p };
                    (*p, vu, 0)
                }
                [y, vu] => {
                    check_plane(0, y, wu, hu, &[1])?;
                    (*y, *vu, 1)
                }
                _ => {
                    return Err(FrameError::PlaneCount { format: image.format, expected: "1 or 2", got: planes.len() })
                }
            };
            check_plane(vu_index, &vu_plane, cw * 2, ch, &[1, 2]).map_err(|e| match (e, planes.len()) {
                // one plane: its V/U rows follow the Y rows, so say what the whole buffer holds
                (FrameError::BufferTooShort { needed, .. }, 1) => FrameError::BufferTooShort {
                    plane: 0,
                    len: y_plane.data.len(),
                    needed: y_plane.row_stride * hu + needed,
                },
                (e, _) => e,
            })?;
            for y in 0..hu {
                let yrow = &y_plane.data[y * y_plane.row_stride..];
                let crow = &vu_plane.data[(y / 2) * vu_plane.row_stride..];
                for (x, d) in row.chunks_exact_mut(3).enumerate() {
                    let c = (x / 2) * 2;
                    d.copy_from_slice(&yuv_to_rgb(yrow[x], crow[c + 1], crow[c]));
                }
                ds.push_row(&row);
            }
        }
        PixelFormat::Yuv420 => {
            let [yp, up, vp] = expect_planes::<3>(image.format, planes, "3")?;
            check_plane(0, &yp, wu, hu, &[1])?;
            // a semi-planar chroma plane's last row ends at its last sample, one byte short
            check_plane(1, &up, chroma_span(cw, up.pixel_stride), ch, &[1, 2])?;
            check_plane(2, &vp, chroma_span(cw, vp.pixel_stride), ch, &[1, 2])?;
            for y in 0..hu {
                let yrow = &yp.data[y * yp.row_stride..];
                let urow = &up.data[(y / 2) * up.row_stride..];
                let vrow = &vp.data[(y / 2) * vp.row_stride..];
                for (x, d) in row.chunks_exact_mut(3).enumerate() {
                    let cx = x / 2;
                    d.copy_from_slice(&yuv_to_rgb(yrow[x], urow[cx * up.pixel_stride], vrow[cx * vp.pixel_stride]));
                }
                ds.push_row(&row);
            }
        }
    }
    Ok(Frame::finish(ds, orientation, (w, h)))
}

fn expect_planes<'a, const N: usize>(
    format: PixelFormat,
    planes: &[Plane<'a>],
    expected: &'static str,
) -> Result<[Plane<'a>; N]> {
    planes.try_into().map_err(|_| FrameError::PlaneCount { format, expected, got: planes.len() })
}

/// Bytes a chroma row of `samples` samples spans at `pixel_stride` (saturating: an absurd
/// stride is refused by `check_plane` afterwards, never overflows here).
fn chroma_span(samples: usize, pixel_stride: usize) -> usize {
    (samples - 1).saturating_mul(pixel_stride).saturating_add(1)
}

/// Checks that `plane` has an allowed pixel stride and holds `rows` rows, `row_stride` apart,
/// each spanning `row_span` bytes from its first sample to the end of its last.
fn check_plane(index: usize, plane: &Plane<'_>, row_span: usize, rows: usize, allowed: &[usize]) -> Result<()> {
    if !allowed.contains(&plane.pixel_stride) {
        let expected = match allowed {
            [1] => "1",
            [4] => "4",
            _ => "1 or 2",
        };
        return Err(FrameError::BadPixelStride { plane: index, stride: plane.pixel_stride, expected });
    }
    if plane.row_stride < row_span {
        return Err(FrameError::StrideTooSmall { plane: index, stride: plane.row_stride, needed: row_span });
    }
    let needed = plane.row_stride.checked_mul(rows - 1).and_then(|v| v.checked_add(row_span));
    match needed {
        Some(n) if plane.data.len() >= n => Ok(()),
        _ => Err(FrameError::BufferTooShort {
            plane: index,
            len: plane.data.len(),
            needed: needed.unwrap_or(usize::MAX),
        }),
    }
}

/// Full-range BT.601 YCbCr to RGB, in 16.16 fixed point.
pub(crate) fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let y = i32::from(y) << 16;
    let (u, v) = (i32::from(u) - 128, i32::from(v) - 128);
    let clamp = |x: i32| ((x + (1 << 15)) >> 16).clamp(0, 255) as u8;
    [
        clamp(y + 91_881 * v),              // 1.402
        clamp(y - 22_554 * u - 46_802 * v), // 0.344136, 0.714136
        clamp(y + 116_130 * u),             // 1.772
    ]
}
