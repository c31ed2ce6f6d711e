//! Encoded photos (JPEG, PNG, WebP) into frames.
//!
//! Sizes are read from the headers and checked against [`Limits`] before any pixel buffer is
//! allocated. JPEG is decoded at the smallest DCT scale (1/8, 1/4, 1/2 or 1) that still covers
//! the working size, so a 12 MP photo never exists at full size in memory; non-interlaced PNG
//! is streamed row by row into the downscaler.
//!
//! Work and memory are bounded for every input within the limits, before the work starts:
//! - each side at most 65,535 pixels ([`Limits::check`]), so a row is bounded;
//! - the file is at most [`MAX_ENCODED_BYTES`];
//! - what a decoder must hold whole (a progressive JPEG's coefficients, an interlaced PNG's
//!   pixels, a WebP's pixels) is estimated from the header and refused when, with the file, it
//!   is over [`WHOLE_IMAGE_BYTES`];
//! - a JPEG's scans are counted before decoding: each scan walks every block of its components
//!   however few bytes it takes, so the blocks all scans visit are refused over
//!   [`MAX_BLOCK_VISITS`];
//! - a PNG's ancillary colour profile (iCCP), which can inflate a megabyte to a gigabyte, is
//!   never inflated: the SDK does not use it.
//!
//! `make bombs` measures the worst cases (time and peak memory per case).

use std::io::Cursor;

use crate::frame::{Frame, FrameError, Limits, Result, MAX_ENCODED_BYTES};
use crate::orientation::Orientation;
use crate::resample::{BoxDownscaler, WORKING_LONG_SIDE};

enum Format {
    Jpeg,
    Png,
    WebP,
}

fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::WebP)
    } else {
        None
    }
}

pub(crate) fn decode(bytes: &[u8], limits: &Limits) -> Result<Frame> {
    decode_to(bytes, limits, WORKING_LONG_SIDE)
}

/// Decodes to at most `long_side` pixels on the long side (`u32::MAX`: full size).
pub(crate) fn decode_to(bytes: &[u8], limits: &Limits, long_side: u32) -> Result<Frame> {
    if bytes.is_empty() {
        return Err(FrameError::Empty);
    }
    if bytes.len() as u64 > MAX_ENCODED_BYTES {
        return Err(FrameError::TooManyBytes { len: bytes.len() as u64, limit: MAX_ENCODED_BYTES });
    }
    match sniff(bytes).ok_or(FrameError::UnsupportedFormat)? {
        Format::Jpeg => decode_jpeg(bytes, limits, long_side),
        Format::Png => decode_png(bytes, limits, long_side),
        Format::WebP => decode_webp(bytes, limits, long_side),
    }
}

/// The most an image it must decode whole may take, its file included: 200 MiB. A 52 MP
/// interlaced RGBA PNG, a 70 MP progressive 4:2:0 (35 MP 4:4:4) JPEG, a 26 MP lossless, 35 MP
/// lossy or 19 MP lossy-with-alpha WebP fit (less their files' size); a bigger one is refused,
/// with the way out (a baseline JPEG, a non-interlaced PNG) in the message. With the file
/// counted, nothing decodes past 200 MiB plus the working frame: the file itself is at most
/// [`MAX_ENCODED_BYTES`] (160 MiB), and formats that stream hold a row or the scaled image
/// beside it.
pub(crate) const WHOLE_IMAGE_BYTES: u64 = 200 << 20;

/// The most 8x8 blocks a JPEG's scans may visit in all: 64 million, about a second of decoding
/// here. A 100 MP baseline JPEG visits 2.3 million, a 50 MP progressive one with ten scans about
/// 20 million; a file that repeats tiny scans thousands of times is refused.
pub(crate) const MAX_BLOCK_VISITS: u64 = 64_000_000;

/// Refuses an image a decoder must hold whole when that, with its file, is over
/// [`WHOLE_IMAGE_BYTES`].
fn fits_whole(format: &'static str, (width, height): (u32, u32), needed: u64, file: usize) -> Result<()> {
    let needed = needed.saturating_add(file as u64);
    if needed > WHOLE_IMAGE_BYTES {
        return Err(FrameError::TooLargeToDecode {
            format,
            width,
            height,
            needed_mb: needed >> 20,
            limit_mb: WHOLE_IMAGE_BYTES >> 20,
        });
    }
    Ok(())
}

fn corrupt(format: &'static str, e: impl std::fmt::Display) -> FrameError {
    FrameError::Corrupt { format, detail: e.to_string() }
}

fn decode_jpeg(bytes: &[u8], limits: &Limits, long_side: u32) -> Result<Frame> {
    let mut dec = proofshot_jpeg::Decoder::new(bytes, WHOLE_IMAGE_BYTES).map_err(|e| corrupt("JPEG", e))?;
    let header = dec.header();
    let (w, h) = (header.width, header.height);
    limits.check(w, h)?;
    let orientation = exif_payload(bytes).map_or(Orientation::Normal, Orientation::from_exif_data);
    let work = jpeg_work(bytes).ok_or_else(|| corrupt("JPEG", "no frame header before the image data"))?;
    if work.coefficient_bytes > 0 {
        fits_whole("progressive JPEG", (w, h), work.coefficient_bytes, bytes.len())?;
    }
    if work.block_visits > MAX_BLOCK_VISITS {
        return Err(corrupt(
            "JPEG",
            format!(
                "{} scans that visit {} million blocks in all, over the limit of {} million (repeated scans?)",
                work.scans,
                work.block_visits / 1_000_000,
                MAX_BLOCK_VISITS / 1_000_000
            ),
        ));
    }
    // libjpeg would fill the rest of a file cut off mid-scan with grey, and a few bytes that
    // claim a huge size would keep it busy: check the scan data first
    let scan = scan_data(bytes).ok_or_else(|| corrupt("JPEG", "no image data (start-of-scan marker missing)"))?;
    // (searched from the end, where it is in any whole file)
    if !scan.windows(2).rev().any(|w| w == [0xFF, 0xD9]) {
        return Err(corrupt("JPEG", "no end-of-image marker after the image data (file truncated?)"));
    }
    // every 8x8 block costs at least one bit of Huffman code (a progressive DC scan; baseline
    // needs two), so less data than that cannot hold the stated image
    let blocks = u64::from(w.div_ceil(8)) * u64::from(h.div_ceil(8));
    if (scan.len() as u64) * 8 < blocks {
        return Err(corrupt(
            "JPEG",
            format!("{} bytes of image data cannot hold a {w}x{h} image (truncated or forged header)", scan.len()),
        ));
    }

    // The smallest DCT scale whose output still reaches ~90% of the wanted size on the long
    // side: the box filter then does the rest. 0.9 lets a 4000 px photo decode at 1/4 (1000 px).
    let long = w.max(h);
    let want = (u64::from(long_side) * 9 / 10).min(u64::from(long)) as u32;
    let req = |v: u32| (u64::from(v) * u64::from(want)).div_ceil(u64::from(long)).max(1);
    let denom = [8u8, 4, 2, 1]
        .into_iter()
        .find(|&d| {
            let d = u32::from(d);
            u64::from(w.div_ceil(d)) >= req(w) && u64::from(h.div_ceil(d)) >= req(h)
        })
        .unwrap_or(1);
    let out = dec.start(denom).map_err(|e| corrupt("JPEG", e))?;
    let channels = match (out.components, header.adobe) {
        (1, _) => Channels::Gray8,
        (3, _) => Channels::Rgb8,
        (4, true) => Channels::CmykInverted8,
        (4, false) => Channels::Cmyk8,
        (n, _) => return Err(corrupt("JPEG", format!("{n} components decoded (expected 1, 3 or 4)"))),
    };

    // rows stream from the decoder into the downscaler, 16 at a time
    let mut ds = Frame::downscaler_to(out.width, out.height, long_side);
    let stride = out.stride();
    let mut buf = vec![0u8; stride * 16];
    let mut rgb = vec![0u8; out.width as usize * 3];
    loop {
        let rows = dec.read_rows(&mut buf).map_err(|e| corrupt("JPEG", e))?;
        if rows == 0 {
            break;
        }
        for row in buf.chunks_exact(stride).take(rows) {
            channels.push_row(&mut ds, row, &mut rgb);
        }
    }
    if ds.rows_pushed() != out.height {
        return Err(corrupt("JPEG", format!("{} of {} rows decoded", ds.rows_pushed(), out.height)));
    }
    Ok(Frame::finish(ds, orientation, (w, h)))
}

/// The marker segments before the first scan, as (marker, offset of the marker, offset just
/// past the segment): walked by their lengths, so bytes inside EXIF or thumbnails are never
/// mistaken for markers. Ends at the start-of-scan marker (included) or at the first byte that
/// is not a marker.
fn segments(bytes: &[u8]) -> impl Iterator<Item = (u8, usize, usize)> + '_ {
    let mut i = 2; // after SOI
    std::iter::from_fn(move || {
        while i + 4 <= bytes.len() && bytes[i] == 0xFF {
            let (marker, at) = (bytes[i + 1], i);
            if marker == 0xFF {
                i += 1; // fill byte
                continue;
            }
            let end = at + 2 + usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
            i = if marker == 0xDA { bytes.len() } else { end }; // nothing after the scan
            return Some((marker, at, end));
        }
        None
    })
}

/// The EXIF payload (from its TIFF header) of the first APP1 segment that holds one.
fn exif_payload(bytes: &[u8]) -> Option<&[u8]> {
    segments(bytes)
        .filter(|&(marker, ..)| marker == 0xE1)
        .find_map(|(_, at, end)| bytes.get(at + 4..end)?.strip_prefix(b"Exif\0\0"))
}

/// The bytes from the first scan's entropy-coded data to the end of the file. Inside
/// entropy-coded data a literal 0xFF is always stuffed as FF 00, so an FF D9 found there is the
/// real end of the image.
fn scan_data(bytes: &[u8]) -> Option<&[u8]> {
    let (.., end) = segments(bytes).find(|&(marker, ..)| marker == 0xDA)?;
    bytes.get(end..)
}

/// What decoding a JPEG will cost, from its frame header and scan headers.
#[derive(Debug, PartialEq, Eq)]
struct JpegWork {
    scans: u64,
    /// Blocks visited by all scans together (each scan, every block of each of its components).
    block_visits: u64,
    /// Coefficients a progressive JPEG keeps for the whole image (0 for baseline).
    coefficient_bytes: u64,
}

/// Walks every marker of a JPEG (segments by their lengths, entropy-coded data up to the next
/// marker that is not a restart) and counts its scans' blocks. `None` without a frame header
/// before the first scan.
fn jpeg_work(bytes: &[u8]) -> Option<JpegWork> {
    // blocks of each component id, padded to whole MCUs as decoders allocate them
    let mut blocks: Vec<(u8, u64)> = Vec::new();
    let mut work = JpegWork { scans: 0, block_visits: 0, coefficient_bytes: 0 };
    let mut i = 2; // after SOI
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            i += 1; // garbage between segments: decoders skip it too
            continue;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF || marker == 0x00 || (0xD0..=0xD7).contains(&marker) {
            i += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        if marker == 0xD9 {
            break;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let body = bytes.get(i + 4..(i + 2 + len).min(bytes.len())).unwrap_or_default();
        match marker {
            // start of frame (not DHT C4, JPG C8, DAC CC)
            0xC0..=0xCF if ![0xC4, 0xC8, 0xCC].contains(&marker) && blocks.is_empty() => {
                let progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
                let (height, width) = (body.get(1..3)?, body.get(3..5)?);
                let (height, width) =
                    (u16::from_be_bytes([height[0], height[1]]), u16::from_be_bytes([width[0], width[1]]));
                let count = usize::from(*body.get(5)?);
                let comps: Vec<(u8, u64, u64)> = (0..count)
                    .filter_map(|c| body.get(6 + 3 * c..8 + 3 * c))
                    .map(|c| (c[0], u64::from(c[1] >> 4).max(1), u64::from(c[1] & 15).max(1)))
                    .collect();
                let hmax = comps.iter().map(|c| c.1).max()?;
                let vmax = comps.iter().map(|c| c.2).max()?;
                let (mcus_x, mcus_y) = (u64::from(width).div_ceil(8 * hmax), u64::from(height).div_ceil(8 * vmax));
                blocks = comps.iter().map(|&(id, h, v)| (id, mcus_x * h * mcus_y * v)).collect();
                if progressive {
                    work.coefficient_bytes = blocks.iter().map(|b| b.1 * 64 * 2).sum();
                }
            }
            0xDA => {
                if blocks.is_empty() {
                    return None;
                }
                work.scans += 1;
                let count = usize::from(*body.first().unwrap_or(&0));
                for c in 0..count {
                    let id = body.get(1 + 2 * c).copied();
                    work.block_visits += blocks.iter().find(|b| Some(b.0) == id).map_or(0, |b| b.1);
                }
                // the entropy-coded data: up to a marker that is neither stuffing nor a restart
                i += 2 + len;
                while i + 1 < bytes.len()
                    && !(bytes[i] == 0xFF && bytes[i + 1] != 0x00 && !(0xD0..=0xD7).contains(&bytes[i + 1]))
                {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 2 + len;
    }
    (!blocks.is_empty()).then_some(work)
}

fn decode_png(bytes: &[u8], limits: &Limits, long_side: u32) -> Result<Frame> {
    // the pixel limit bounds the decoder's own allocations too (16-bit RGBA is 8 bytes a pixel)
    let png_limits = png::Limits { bytes: (limits.max_pixels.saturating_mul(8)).min(usize::MAX as u64) as usize };
    let mut dec = png::Decoder::new_with_limits(Cursor::new(bytes), png_limits);
    // the colour profile and text are never used, and compressed they can inflate a thousandfold
    dec.set_ignore_iccp_chunk(true);
    dec.set_ignore_text_chunk(true);
    let header = dec.read_header_info().map_err(|e| corrupt("PNG", e))?;
    limits.check(header.width, header.height)?;
    if header.interlaced {
        // decoded whole (below), as 8-bit samples after STRIP_16 and EXPAND: at most 4 a pixel
        let needed = u64::from(header.width) * u64::from(header.height) * 4;
        fits_whole("interlaced PNG", (header.width, header.height), needed, bytes.len())?;
    }
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().map_err(|e| corrupt("PNG", e))?;
    let info = reader.info();
    let (w, h, interlaced) = (info.width, info.height, info.interlaced);
    let orientation = info.exif_metadata.as_deref().map_or(Orientation::Normal, Orientation::from_exif_data);
    let channels = match reader.output_color_type().0 {
        png::ColorType::Grayscale => Channels::Gray8,
        png::ColorType::GrayscaleAlpha => Channels::GrayA8,
        png::ColorType::Rgb => Channels::Rgb8,
        png::ColorType::Rgba => Channels::Rgba8,
        png::ColorType::Indexed => return Err(corrupt("PNG", "palette was not expanded")),
    };
    let mut ds = Frame::downscaler_to(w, h, long_side);
    if interlaced {
        // Adam7 rows arrive pass by pass, not top to bottom: decode the whole (limit-checked) image.
        let size = reader.output_buffer_size().ok_or_else(|| corrupt("PNG", "image too large for this platform"))?;
        let mut buf = vec![0u8; size];
        reader.next_frame(&mut buf).map_err(|e| corrupt("PNG", e))?;
        push_rows(&mut ds, &buf, w, h, channels, "PNG")?;
    } else {
        let mut row_rgb = vec![0u8; w as usize * 3];
        while let Some(row) = reader.next_row().map_err(|e| corrupt("PNG", e))? {
            channels.push_row(&mut ds, row.data(), &mut row_rgb);
            if ds.rows_pushed() == h {
                break;
            }
        }
        if ds.rows_pushed() != h {
            return Err(corrupt("PNG", format!("image ends after {} of {h} rows", ds.rows_pushed())));
        }
    }
    // read on to IEND: a file cut off after its pixels is still truncated
    reader.finish().map_err(|e| corrupt("PNG", e))?;
    Ok(Frame::finish(ds, orientation, (w, h)))
}

fn decode_webp(bytes: &[u8], limits: &Limits, long_side: u32) -> Result<Frame> {
    let mut dec = image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(|e| corrupt("WebP", e))?;
    let (w, h) = dec.dimensions();
    limits.check(w, h)?;
    // decoded whole: the RGB(A) output plus the decoder's own planes, measured (`make bombs`,
    // and lossy files made by libwebp) at about 8 bytes a pixel for lossless (ARGB words and the
    // output), 5 for lossy (YUV planes and RGB output) and 10.5 for lossy with alpha (the alpha
    // plane is a lossless image of its own, and the output RGBA)
    let per_pixel = match (dec.is_lossy(), dec.has_alpha()) {
        (false, _) => 8,
        (true, false) => 6,
        (true, true) => 11,
    };
    fits_whole("WebP", (w, h), u64::from(w) * u64::from(h) * per_pixel, bytes.len())?;
    dec.set_memory_limit((limits.max_pixels.saturating_mul(4)).min(usize::MAX as u64) as usize);
    let orientation = match dec.exif_metadata() {
        Ok(Some(exif)) => Orientation::from_exif_data(&exif),
        _ => Orientation::Normal,
    };
    let size = dec.output_buffer_size().ok_or_else(|| corrupt("WebP", "image too large for this platform"))?;
    let mut buf = vec![0u8; size];
    dec.read_image(&mut buf).map_err(|e| corrupt("WebP", e))?;
    let channels = if dec.has_alpha() { Channels::Rgba8 } else { Channels::Rgb8 };
    let mut ds = Frame::downscaler_to(w, h, long_side);
    push_rows(&mut ds, &buf, w, h, channels, "WebP")?;
    Ok(Frame::finish(ds, orientation, (w, h)))
}

/// Pixel layouts decoders hand back.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Channels {
    Gray8,
    GrayA8,
    Rgb8,
    Rgba8,
    /// CMYK with standard values (0 = no ink).
    Cmyk8,
    /// CMYK stored inverted (255 = no ink), as files with an Adobe marker hold it and libjpeg
    /// returns it.
    CmykInverted8,
}

impl Channels {
    fn bytes_per_pixel(self) -> usize {
        match self {
            Self::Gray8 => 1,
            Self::GrayA8 => 2,
            Self::Rgb8 => 3,
            Self::Rgba8 | Self::Cmyk8 | Self::CmykInverted8 => 4,
        }
    }

    /// Pushes one row into the downscaler as RGB: as it is where it already is, else converted
    /// through `rgb` (a row's worth of scratch, three bytes a pixel).
    fn push_row(self, ds: &mut BoxDownscaler, row: &[u8], rgb: &mut [u8]) {
        if self == Self::Rgb8 {
            ds.push_row(row);
        } else {
            self.to_rgb(row, rgb);
            ds.push_row(rgb);
        }
    }

    /// Converts one row (alpha dropped) into `out`, three bytes a pixel.
    fn to_rgb(self, row: &[u8], out: &mut [u8]) {
        let bpp = self.bytes_per_pixel();
        for (src, dst) in row.chunks_exact(bpp).zip(out.chunks_exact_mut(3)) {
            match self {
                Self::Gray8 | Self::GrayA8 => dst.fill(src[0]),
                Self::Rgb8 | Self::Rgba8 => dst.copy_from_slice(&src[..3]),
                Self::Cmyk8 => {
                    let k = 255 - u16::from(src[3]);
                    for (d, &c) in dst.iter_mut().zip(&src[..3]) {
                        *d = (((255 - u16::from(c)) * k + 127) / 255) as u8;
                    }
                }
                Self::CmykInverted8 => {
                    let k = u16::from(src[3]);
                    for (d, &c) in dst.iter_mut().zip(&src[..3]) {
                        *d = ((u16::from(c) * k + 127) / 255) as u8;
                    }
                }
            }
        }
    }
}

fn push_rows(ds: &mut BoxDownscaler, pixels: &[u8], w: u32, h: u32, ch: Channels, format: &'static str) -> Result<()> {
    let stride = w as usize * ch.bytes_per_pixel();
    if pixels.len() < stride * h as usize {
        return Err(corrupt(format, format!("decoder returned {} bytes for a {w}x{h} image", pixels.len())));
    }
    let mut rgb = vec![0u8; w as usize * 3];
    for row in pixels.chunks_exact(stride).take(h as usize) {
        ch.push_row(ds, row, &mut rgb);
    }
    Ok(())
}
