//! Frames from every input kind, checked against reference pixels; orientation; limits; errors.

use proofshot_core::{Frame, FrameError, Limits, PixelFormat, Plane, RawImage, WORKING_LONG_SIDE};
use proofshot_fixtures::{self as fx, Rgb};

const RED: [u8; 3] = [220, 30, 30];
const GREEN: [u8; 3] = [30, 200, 40];
const BLUE: [u8; 3] = [30, 40, 210];
const WHITE: [u8; 3] = [240, 240, 240];

/// A `w` x `h` image in four quadrants: red top left, green top right, blue bottom left,
/// white bottom right.
fn quadrants(w: u32, h: u32) -> Rgb {
    let mut img = Rgb::filled(w, h, [0, 0, 0]);
    for y in 0..h {
        for x in 0..w {
            let c = match (x < w / 2, y < h / 2) {
                (true, true) => RED,
                (false, true) => GREEN,
                (true, false) => BLUE,
                (false, false) => WHITE,
            };
            let i = ((y * w + x) * 3) as usize;
            img.data[i..i + 3].copy_from_slice(&c);
        }
    }
    img
}

fn pixel(f: &Frame, x: u32, y: u32) -> [u8; 3] {
    let i = ((y * f.width() + x) * 3) as usize;
    [f.rgb()[i], f.rgb()[i + 1], f.rgb()[i + 2]]
}

fn close(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    a.iter().zip(b).all(|(&x, y)| (i32::from(x) - i32::from(y)).abs() <= tol)
}

/// The colour at the centre of each quadrant of a frame, in reading order.
fn quadrant_colours(f: &Frame) -> [[u8; 3]; 4] {
    let (w, h) = (f.width(), f.height());
    [pixel(f, w / 4, h / 4), pixel(f, 3 * w / 4, h / 4), pixel(f, w / 4, 3 * h / 4), pixel(f, 3 * w / 4, 3 * h / 4)]
}

fn assert_quadrants(f: &Frame, expected: [[u8; 3]; 4], tol: i32) {
    let got = quadrant_colours(f);
    for (g, e) in got.iter().zip(expected) {
        assert!(close(*g, e, tol), "quadrants {got:?}, expected {expected:?}");
    }
}

const UPRIGHT: [[u8; 3]; 4] = [RED, GREEN, BLUE, WHITE];

#[test]
fn png_round_trips_exactly() {
    let img = quadrants(64, 48);
    let f = Frame::from_encoded(&fx::encode_png(&img), &Limits::default()).expect("valid png");
    assert_eq!((f.width(), f.height(), f.source_size()), (64, 48, (64, 48)));
    assert_eq!(f.rgb(), &img.data[..]);
}

#[test]
fn from_rgb8_copies_small_images() {
    let img = quadrants(10, 6);
    let f = Frame::from_rgb8(10, 6, &img.data, &Limits::default()).expect("valid");
    assert_eq!(f.rgb(), &img.data[..]);
}

#[test]
fn webp_lossless_round_trips_exactly() {
    let img = quadrants(40, 30);
    let mut bytes = Vec::new();
    image_webp::WebPEncoder::new(&mut bytes).encode(&img.data, 40, 30, image_webp::ColorType::Rgb8).expect("encodes");
    let f = Frame::from_encoded(&bytes, &Limits::default()).expect("valid webp");
    assert_eq!(f.rgb(), &img.data[..]);
}

#[test]
fn jpeg_decodes_close_to_the_source() {
    let img = quadrants(64, 48);
    let f = Frame::from_encoded(&fx::encode_jpeg(&img, 95, None), &Limits::default()).expect("valid jpeg");
    assert_eq!((f.width(), f.height()), (64, 48));
    assert_quadrants(&f, UPRIGHT, 12);
}

#[test]
fn every_exif_orientation_is_applied() {
    // The stored pixels are what a camera wrote; the tag says how to show them. For each
    // tag, store the image that becomes upright once the tag is applied, and check that.
    let stored = quadrants(64, 48);
    // quadrants as displayed, for each orientation applied to the stored image
    let cases: [(u16, [[u8; 3]; 4], bool); 8] = [
        (1, [RED, GREEN, BLUE, WHITE], false),
        (2, [GREEN, RED, WHITE, BLUE], false),
        (3, [WHITE, BLUE, GREEN, RED], false),
        (4, [BLUE, WHITE, RED, GREEN], false),
        (5, [RED, BLUE, GREEN, WHITE], true),
        (6, [BLUE, RED, WHITE, GREEN], true),
        (7, [WHITE, GREEN, BLUE, RED], true),
        (8, [GREEN, WHITE, RED, BLUE], true),
    ];
    for (tag, expected, swaps) in cases {
        let f = Frame::from_encoded(&fx::encode_jpeg(&stored, 95, Some(tag)), &Limits::default()).expect("valid jpeg");
        let size = if swaps { (48, 64) } else { (64, 48) };
        assert_eq!((f.width(), f.height()), size, "orientation {tag}");
        assert_eq!(f.source_size(), size, "orientation {tag}");
        let got = quadrant_colours(&f);
        for (g, e) in got.iter().zip(expected) {
            assert!(close(*g, e, 12), "orientation {tag}: {got:?}, expected {expected:?}");
        }
    }
}

#[test]
fn large_jpeg_is_decoded_to_the_working_size() {
    let img = quadrants(2400, 1800);
    let f = Frame::from_encoded(&fx::encode_jpeg(&img, 85, Some(6)), &Limits::default()).expect("valid jpeg");
    assert_eq!(f.width().max(f.height()), WORKING_LONG_SIDE);
    assert_eq!((f.width(), f.height()), (768, 1024));
    assert_eq!(f.source_size(), (1800, 2400));
    assert_quadrants(&f, [BLUE, RED, WHITE, GREEN], 12);
}

/// RGBA rows `stride` bytes apart (padding filled with junk), for RGBA or BGRA order.
fn rgba_plane(img: &Rgb, stride: usize, bgra: bool) -> Vec<u8> {
    let mut data = img.to_rgba(stride, bgra);
    for y in 0..img.height as usize {
        for b in &mut data[y * stride + img.width as usize * 4..(y + 1) * stride] {
            *b = 0xAB;
        }
    }
    data
}

#[test]
fn rgba_and_bgra_with_row_padding() {
    let img = quadrants(20, 10);
    for (format, bgra) in [(PixelFormat::Rgba8888, false), (PixelFormat::Bgra8888, true)] {
        let data = rgba_plane(&img, 20 * 4 + 12, bgra);
        let planes = [Plane { data: &data, row_stride: 92, pixel_stride: 4 }];
        let raw = RawImage { width: 20, height: 10, format, planes: &planes, rotation_degrees: 0 };
        let f = Frame::from_raw(&raw, &Limits::default()).expect("valid buffer");
        assert_eq!(f.rgb(), &img.data[..], "{format}");
    }
}

#[test]
fn rotation_degrees_turn_the_frame_clockwise() {
    let img = quadrants(20, 10);
    let data = rgba_plane(&img, 80, false);
    let planes = [Plane { data: &data, row_stride: 80, pixel_stride: 4 }];
    for (deg, expected, size) in [
        (0, UPRIGHT, (20, 10)),
        (90, [BLUE, RED, WHITE, GREEN], (10, 20)),
        (180, [WHITE, BLUE, GREEN, RED], (20, 10)),
        (270, [GREEN, WHITE, RED, BLUE], (10, 20)),
        (-90, [GREEN, WHITE, RED, BLUE], (10, 20)),
    ] {
        let raw =
            RawImage { width: 20, height: 10, format: PixelFormat::Rgba8888, planes: &planes, rotation_degrees: deg };
        let f = Frame::from_raw(&raw, &Limits::default()).expect("valid");
        assert_eq!((f.width(), f.height()), size, "{deg}");
        assert_eq!(f.source_size(), size, "{deg}");
        assert_quadrants(&f, expected, 0);
    }
}

/// Full-range BT.601, computed in floating point: the reference the fixed-point code must match.
fn reference_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let (y, u, v) = (f64::from(y), f64::from(u) - 128.0, f64::from(v) - 128.0);
    let c = |x: f64| x.round().clamp(0.0, 255.0) as u8;
    [c(y + 1.402 * v), c(y - 0.344_136 * u - 0.714_136 * v), c(y + 1.772 * u)]
}

/// YUV 4:2:0 test content: each 2x2 block has its own (Y, U, V), Y varying inside the block.
struct Yuv {
    w: usize,
    h: usize,
    y: Vec<u8>,
    u: Vec<u8>,
    v: Vec<u8>,
}

fn yuv(w: usize, h: usize) -> Yuv {
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let y = (0..w * h).map(|i| (16 + (i * 37) % 220) as u8).collect();
    let u = (0..cw * ch).map(|i| (20 + (i * 53) % 215) as u8).collect();
    let v = (0..cw * ch).map(|i| (235 - (i * 29) % 215) as u8).collect();
    Yuv { w, h, y, u, v }
}

impl Yuv {
    fn expected(&self) -> Vec<u8> {
        let cw = self.w.div_ceil(2);
        let mut out = Vec::new();
        for yy in 0..self.h {
            for xx in 0..self.w {
                let c = (yy / 2) * cw + xx / 2;
                out.extend_from_slice(&reference_rgb(self.y[yy * self.w + xx], self.u[c], self.v[c]));
            }
        }
        out
    }

    /// Y plane with rows `stride` apart.
    fn y_plane(&self, stride: usize) -> Vec<u8> {
        let mut p = vec![0x55; stride * self.h];
        for r in 0..self.h {
            p[r * stride..r * stride + self.w].copy_from_slice(&self.y[r * self.w..(r + 1) * self.w]);
        }
        p
    }

    /// Interleaved chroma rows `stride` apart: V then U (NV21) or U then V (NV12).
    fn interleaved(&self, stride: usize, v_first: bool) -> Vec<u8> {
        let (cw, ch) = (self.w.div_ceil(2), self.h.div_ceil(2));
        let mut p = vec![0x55; stride * ch];
        for r in 0..ch {
            for c in 0..cw {
                let (a, b) = if v_first {
                    (self.v[r * cw + c], self.u[r * cw + c])
                } else {
                    (self.u[r * cw + c], self.v[r * cw + c])
                };
                p[r * stride + 2 * c] = a;
                p[r * stride + 2 * c + 1] = b;
            }
        }
        p
    }
}

fn assert_matches_reference(f: &Frame, expected: &[u8]) {
    assert_eq!(f.rgb().len(), expected.len());
    let worst = f.rgb().iter().zip(expected).map(|(&a, &b)| (i32::from(a) - i32::from(b)).abs()).max();
    assert!(worst <= Some(1), "largest difference from the reference: {worst:?}");
}

#[test]
fn nv21_one_plane_and_two_planes() {
    for (w, h) in [(8, 6), (7, 5)] {
        let src = yuv(w, h);
        let stride = w + 3;
        let y = src.y_plane(stride);
        let vu = src.interleaved(stride, true);
        // one buffer: Y rows then V/U rows, same stride
        let mut one = y.clone();
        one.extend_from_slice(&vu);
        let planes = [Plane { data: &one, row_stride: stride, pixel_stride: 1 }];
        let raw = RawImage {
            width: w as u32,
            height: h as u32,
            format: PixelFormat::Nv21,
            planes: &planes,
            rotation_degrees: 0,
        };
        assert_matches_reference(&Frame::from_raw(&raw, &Limits::default()).expect("one plane"), &src.expected());

        let planes = [
            Plane { data: &y, row_stride: stride, pixel_stride: 1 },
            Plane { data: &vu, row_stride: stride, pixel_stride: 2 },
        ];
        let raw = RawImage { planes: &planes, ..raw };
        assert_matches_reference(&Frame::from_raw(&raw, &Limits::default()).expect("two planes"), &src.expected());
    }
}

#[test]
fn yuv420_planar_and_semi_planar() {
    for (w, h) in [(8, 6), (9, 7)] {
        let src = yuv(w, h);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let y = src.y_plane(w + 5);
        // planar (I420): pixel stride 1, chroma rows padded
        let pad = |p: &[u8], stride: usize| {
            let mut out = vec![0x77; stride * ch];
            for r in 0..ch {
                out[r * stride..r * stride + cw].copy_from_slice(&p[r * cw..(r + 1) * cw]);
            }
            out
        };
        let (u, v) = (pad(&src.u, cw + 2), pad(&src.v, cw + 2));
        let planes = [
            Plane { data: &y, row_stride: w + 5, pixel_stride: 1 },
            Plane { data: &u, row_stride: cw + 2, pixel_stride: 1 },
            Plane { data: &v, row_stride: cw + 2, pixel_stride: 1 },
        ];
        let raw = RawImage {
            width: w as u32,
            height: h as u32,
            format: PixelFormat::Yuv420,
            planes: &planes,
            rotation_degrees: 0,
        };
        assert_matches_reference(&Frame::from_raw(&raw, &Limits::default()).expect("planar"), &src.expected());

        // semi-planar, as Android hands NV12 memory: U and V planes are views one byte apart
        // into one interleaved buffer, and each view ends at its last sample
        let uv = src.interleaved(2 * cw, false);
        let u_view = &uv[..uv.len() - 1];
        let v_view = &uv[1..];
        let planes = [
            Plane { data: &y, row_stride: w + 5, pixel_stride: 1 },
            Plane { data: u_view, row_stride: 2 * cw, pixel_stride: 2 },
            Plane { data: v_view, row_stride: 2 * cw, pixel_stride: 2 },
        ];
        let raw = RawImage { planes: &planes, ..raw };
        assert_matches_reference(&Frame::from_raw(&raw, &Limits::default()).expect("semi-planar"), &src.expected());
    }
}

#[test]
fn yuv_rotation_matches_rgba_rotation() {
    let src = yuv(8, 4);
    let y = src.y_plane(8);
    let vu = src.interleaved(8, true);
    let planes =
        [Plane { data: &y, row_stride: 8, pixel_stride: 1 }, Plane { data: &vu, row_stride: 8, pixel_stride: 1 }];
    let raw = RawImage { width: 8, height: 4, format: PixelFormat::Nv21, planes: &planes, rotation_degrees: 90 };
    let rotated = Frame::from_raw(&raw, &Limits::default()).expect("valid");
    let upright = Frame::from_rgb8(8, 4, &src.expected(), &Limits::default()).expect("valid");
    assert_eq!((rotated.width(), rotated.height()), (4, 8));
    // upright (x, y) shows at rotated (h - 1 - y, x)
    for yy in 0..4 {
        for xx in 0..8 {
            assert!(close(pixel(&rotated, 3 - yy, xx), pixel(&upright, xx, yy), 1));
        }
    }
}

#[test]
fn large_camera_frames_are_downscaled() {
    let img = quadrants(1920, 1080);
    let data = img.to_rgba(1920 * 4, false);
    let planes = [Plane { data: &data, row_stride: 1920 * 4, pixel_stride: 4 }];
    let raw =
        RawImage { width: 1920, height: 1080, format: PixelFormat::Rgba8888, planes: &planes, rotation_degrees: 0 };
    let f = Frame::from_raw(&raw, &Limits::default()).expect("valid");
    assert_eq!((f.width(), f.height(), f.source_size()), (1024, 576, (1920, 1080)));
    assert_quadrants(&f, UPRIGHT, 0);
}

// ---------------------------------------------------------------- errors and limits

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&out[start..]).to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A valid PNG header claiming `w` x `h`, with a tiny IDAT: a few hundred bytes in all.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn a_huge_png_of_a_few_bytes_is_refused_before_decoding() {
    let bytes = png_claiming(50_000, 50_000);
    assert!(bytes.len() < 100);
    match Frame::from_encoded(&bytes, &Limits::default()) {
        Err(FrameError::TooLarge { width: 50_000, height: 50_000, limit: 100_000_000 }) => {}
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let msg = Frame::from_encoded(&bytes, &Limits::default()).expect_err("too large").to_string();
    assert!(msg.contains("50000x50000") && msg.contains("limit"), "{msg}");
}

#[test]
fn a_huge_jpeg_header_is_refused() {
    // a real JPEG with its frame header's size patched to 65000 x 65000
    let mut bytes = fx::encode_jpeg(&quadrants(16, 16), 90, None);
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).expect("baseline SOF0");
    bytes[sof + 5..sof + 9].copy_from_slice(&[0xFD, 0xE8, 0xFD, 0xE8]);
    assert!(matches!(Frame::from_encoded(&bytes, &Limits::default()), Err(FrameError::TooLarge { .. })));
}

#[test]
fn the_pixel_limit_is_configurable() {
    let bytes = fx::encode_png(&quadrants(64, 48));
    let tight = Limits { max_pixels: 64 * 48 - 1 };
    assert!(matches!(Frame::from_encoded(&bytes, &tight), Err(FrameError::TooLarge { .. })));
    assert!(Frame::from_encoded(&bytes, &Limits { max_pixels: 64 * 48 }).is_ok());
}

#[test]
fn empty_unknown_truncated_and_corrupt_data_are_errors() {
    assert_eq!(Frame::from_encoded(&[], &Limits::default()), Err(FrameError::Empty));
    assert_eq!(Frame::from_encoded(b"GIF89a....", &Limits::default()), Err(FrameError::UnsupportedFormat));

    let jpeg = fx::encode_jpeg(&fx::porch_scene(160, 120, 1), 90, None);
    for cut in [3, 20, jpeg.len() / 3] {
        let r = Frame::from_encoded(&jpeg[..cut], &Limits::default());
        assert!(matches!(r, Err(FrameError::Corrupt { format: "JPEG", .. })), "cut at {cut}: {r:?}");
    }
    let png = fx::encode_png(&fx::porch_scene(160, 120, 1));
    for cut in [12, 40, png.len() / 2, png.len() - 13] {
        let r = Frame::from_encoded(&png[..cut], &Limits::default());
        assert!(matches!(r, Err(FrameError::Corrupt { format: "PNG", .. })), "cut at {cut}: {r:?}");
    }
    let mut bad_crc = png.clone();
    bad_crc[40] ^= 0xFF;
    assert!(Frame::from_encoded(&bad_crc, &Limits::default()).is_err());
    assert!(matches!(
        Frame::from_encoded(b"RIFF\x10\0\0\0WEBPVP8 junk", &Limits::default()),
        Err(FrameError::Corrupt { .. })
    ));
}

#[test]
fn lossless_and_12_bit_jpegs_are_refused_by_name() {
    // libjpeg-turbo's 8-bit build decodes neither; no camera app writes them
    let jpeg = fx::encode_jpeg(&fx::porch_scene(64, 48, 1), 90, None);
    let sof = jpeg.windows(2).position(|m| m == [0xFF, 0xC0]).expect("a baseline frame header");
    let mut lossless = jpeg.clone();
    lossless[sof + 1] = 0xC3;
    let r = Frame::from_encoded(&lossless, &Limits::default());
    assert!(matches!(&r, Err(FrameError::Corrupt { detail, .. }) if detail.contains("SOF type 0xc3")), "{r:?}");
    let mut twelve = jpeg.clone();
    (twelve[sof + 1], twelve[sof + 4]) = (0xC1, 12);
    let r = Frame::from_encoded(&twelve, &Limits::default());
    assert!(matches!(&r, Err(FrameError::Corrupt { detail, .. }) if detail.contains("precision 12")), "{r:?}");
}

#[test]
fn zero_sizes_are_refused() {
    // the PNG decoder refuses a zero-sized header itself; either way it is an error
    let r = Frame::from_encoded(&png_claiming(0, 10), &Limits::default());
    assert!(matches!(r, Err(FrameError::Corrupt { format: "PNG", .. } | FrameError::ZeroSize { .. })), "{r:?}");
    let planes = [Plane { data: &[], row_stride: 0, pixel_stride: 4 }];
    let raw = RawImage { width: 0, height: 10, format: PixelFormat::Rgba8888, planes: &planes, rotation_degrees: 0 };
    assert_eq!(Frame::from_raw(&raw, &Limits::default()), Err(FrameError::ZeroSize { width: 0, height: 10 }));
    assert!(matches!(Frame::from_rgb8(5, 0, &[], &Limits::default()), Err(FrameError::ZeroSize { .. })));
}

#[test]
fn raw_buffer_errors_name_the_problem() {
    let data = vec![0u8; 100 * 4 * 10];
    let rgba = |stride, pixel_stride, data: &'static [u8]| [Plane { data, row_stride: stride, pixel_stride }];
    let leaked: &'static [u8] = Box::leak(data.into_boxed_slice());
    let check = |planes: &[Plane<'_>], format, w, h, rot| {
        Frame::from_raw(&RawImage { width: w, height: h, format, planes, rotation_degrees: rot }, &Limits::default())
    };

    assert_eq!(
        check(&rgba(399, 4, leaked), PixelFormat::Rgba8888, 100, 10, 0),
        Err(FrameError::StrideTooSmall { plane: 0, stride: 399, needed: 400 })
    );
    assert_eq!(
        check(&rgba(400, 4, &leaked[..3999]), PixelFormat::Rgba8888, 100, 10, 0),
        Err(FrameError::BufferTooShort { plane: 0, len: 3999, needed: 4000 })
    );
    assert_eq!(
        check(&rgba(400, 3, leaked), PixelFormat::Bgra8888, 100, 10, 0),
        Err(FrameError::BadPixelStride { plane: 0, stride: 3, expected: "4" })
    );
    assert_eq!(check(&rgba(400, 4, leaked), PixelFormat::Rgba8888, 100, 10, 45), Err(FrameError::BadRotation(45)));
    assert!(matches!(
        check(&rgba(400, 4, leaked), PixelFormat::Yuv420, 100, 10, 0),
        Err(FrameError::PlaneCount { expected: "3", got: 1, .. })
    ));
    // NV21 in one plane: Y fits, but the V/U rows after it are missing
    let y_only = [Plane { data: &leaked[..100 * 10], row_stride: 100, pixel_stride: 1 }];
    // (the whole buffer is named: 1000 bytes held, 1000 of Y and 500 of V/U needed)
    assert_eq!(
        check(&y_only, PixelFormat::Nv21, 100, 10, 0),
        Err(FrameError::BufferTooShort { plane: 0, len: 1000, needed: 1500 })
    );
    // YUV_420_888 with a chroma pixel stride of 3
    let planes = [
        Plane { data: &leaked[..1000], row_stride: 100, pixel_stride: 1 },
        Plane { data: &leaked[..1000], row_stride: 200, pixel_stride: 3 },
        Plane { data: &leaked[..1000], row_stride: 200, pixel_stride: 1 },
    ];
    assert_eq!(
        check(&planes, PixelFormat::Yuv420, 100, 10, 0),
        Err(FrameError::BadPixelStride { plane: 1, stride: 3, expected: "1 or 2" })
    );
    // absurd strides are refused without overflowing
    let planes = [
        Plane { data: &leaked[..1000], row_stride: 100, pixel_stride: 1 },
        Plane { data: &leaked[..10], row_stride: usize::MAX, pixel_stride: 2 },
        Plane { data: &leaked[..10], row_stride: usize::MAX, pixel_stride: 2 },
    ];
    assert!(matches!(
        check(&planes, PixelFormat::Yuv420, 100, 10, 0),
        Err(FrameError::BufferTooShort { plane: 1, .. })
    ));
    let too_big = [Plane { data: leaked, row_stride: 400, pixel_stride: 4 }];
    assert!(matches!(check(&too_big, PixelFormat::Rgba8888, 20_000, 20_000, 0), Err(FrameError::TooLarge { .. })));
}

#[test]
fn a_tiny_jpeg_claiming_a_huge_size_is_refused_before_decoding() {
    // found by fuzzing: a 2 KB file whose header claims ~100 MP kept the decoder busy for
    // seconds, synthesising blocks its data did not hold
    let mut bytes = fx::encode_jpeg(&quadrants(64, 64), 90, None);
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).expect("baseline SOF0");
    bytes[sof + 5..sof + 9].copy_from_slice(&[0x06, 0x02, 0xFD, 0xE8]); // 1538 x 65000
    match Frame::from_encoded(&bytes, &Limits::default()) {
        Err(FrameError::Corrupt { format: "JPEG", detail }) => assert!(detail.contains("cannot hold"), "{detail}"),
        other => panic!("expected a corrupt-JPEG error, got {other:?}"),
    }
}

#[test]
fn cmyk_jpeg_matches_the_rgb_original() {
    // fuzz seeds made by PIL from one random image: lossless PNG, and the same image saved as
    // a CMYK JPEG (Adobe marker, inverted storage)
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/encoded");
    let read = |name: &str| std::fs::read(seeds.join(name)).expect("committed seed");
    let rgb = Frame::from_encoded(&read("rgb.png"), &Limits::default()).expect("png");
    let cmyk = Frame::from_encoded(&read("cmyk.jpg"), &Limits::default()).expect("cmyk jpeg");
    assert_eq!((cmyk.width(), cmyk.height()), (rgb.width(), rgb.height()));
    let diff: u64 = rgb.rgb().iter().zip(cmyk.rgb()).map(|(&a, &b)| u64::from(a.abs_diff(b))).sum();
    let mean = diff as f64 / rgb.rgb().len() as f64;
    assert!(mean < 12.0, "mean difference {mean} from the original");
}

// ---------------------------------------------------------------- decode bombs (issue 22)
// Time and peak memory of the full-size bombs: `make bombs`.

use proofshot_fixtures::bombs::{self, PngColor};

#[test]
fn a_side_longer_than_a_jpeg_can_be_is_refused_at_the_header() {
    // 100,000,000 x 1 passes the pixel limit; its one row of 16-bit RGBA would be 800 MB
    for (w, h) in [(100_000_000, 1), (1, 70_000)] {
        let bytes = bombs::png_header_only(w, h, 16, PngColor::Rgba, false);
        assert_eq!(
            Frame::from_encoded(&bytes, &Limits::default()),
            Err(FrameError::SideTooLong { width: w, height: h })
        );
    }
    let msg = FrameError::SideTooLong { width: 100_000_000, height: 1 }.to_string();
    assert_eq!(msg, "image is 100000000x1: a side over 65535 pixels");
    let widest = bombs::png_black(65_535, 2, 8, PngColor::Gray, false);
    let f = Frame::from_encoded(&widest, &Limits::default()).expect("the widest accepted");
    assert_eq!((f.width(), f.source_size()), (1024, (65_535, 2)));
}

#[test]
fn images_decoded_whole_are_refused_over_their_memory_bound() {
    let whole = |bytes: &[u8]| match Frame::from_encoded(bytes, &Limits::default()) {
        Err(FrameError::TooLargeToDecode { format, needed_mb, limit_mb: 200, .. }) => (format, needed_mb),
        other => panic!("expected TooLargeToDecode, got {other:?}"),
    };
    // interlaced PNG: 8-bit RGBA after stripping, 4 bytes a pixel
    let interlaced = bombs::png_header_only(10_000, 10_000, 16, PngColor::Rgba, true);
    assert_eq!(whole(&interlaced), ("interlaced PNG", 381));
    // the same shape not interlaced streams row by row: refused only for its missing data
    let streamed = bombs::png_header_only(10_000, 10_000, 16, PngColor::Rgba, false);
    assert!(matches!(Frame::from_encoded(&streamed, &Limits::default()), Err(FrameError::Corrupt { .. })));
    // a 30-byte lossless WebP stating 10,000 x 10,000
    let webp = bombs::webp_lossless_black(10_000, 10_000);
    assert!(webp.len() < 40);
    assert_eq!(whole(&webp), ("WebP", 762));
    let small = Frame::from_encoded(&bombs::webp_lossless_black(300, 200), &Limits::default()).expect("decodes");
    assert_eq!((small.width(), small.height(), small.rgb()[0]), (300, 200, 0));
    // a progressive CMYK JPEG whose frame header is patched to 10,000 x 10,000
    let mut jpeg = bombs::jpeg_progressive(64, 64, 4);
    assert!(Frame::from_encoded(&jpeg, &Limits::default()).is_ok());
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC2]).expect("progressive SOF2");
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0x27, 0x10, 0x27, 0x10]);
    let (format, needed) = whole(&jpeg);
    assert_eq!(format, "progressive JPEG");
    assert!(needed > 200, "{needed}");
    let msg = Frame::from_encoded(&jpeg, &Limits::default()).expect_err("refused").to_string();
    assert!(
        msg.contains("10000x10000 progressive JPEG must be decoded whole") && msg.contains("baseline JPEG"),
        "{msg}"
    );
}

#[test]
fn repeated_scans_are_counted_and_refused_before_decoding() {
    // each repeat of the last scan is a few hundred bytes that walk 15,625 blocks again
    let bomb = bombs::jpeg_repeated_scans(2_000, 2_000, 5_000);
    match Frame::from_encoded(&bomb, &Limits::default()) {
        Err(FrameError::Corrupt { format: "JPEG", detail }) => {
            assert!(detail.starts_with("5012 scans that visit 78 million blocks"), "{detail}");
        }
        other => panic!("expected the scans refused, got {other:?}"),
    }
    // a few repeats decode as before
    let few = bombs::jpeg_repeated_scans(256, 256, 20);
    assert!(Frame::from_encoded(&few, &Limits::default()).is_ok());
}

#[test]
fn more_encoded_bytes_than_the_limit_are_refused_before_decoding() {
    use proofshot_core::MAX_ENCODED_BYTES;
    let mut big = vec![0u8; usize::try_from(MAX_ENCODED_BYTES).expect("fits") + 1];
    big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let err = Frame::from_encoded(&big, &Limits::default()).expect_err("too many bytes");
    assert_eq!(err, FrameError::TooManyBytes { len: MAX_ENCODED_BYTES + 1, limit: MAX_ENCODED_BYTES });
    assert_eq!(err.to_string(), "photo is 167772161 bytes, over the limit of 167772160 bytes (160 MiB)");
}
