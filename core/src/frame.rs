//! The SDK's working image, and the errors of building one.

use crate::orientation::Orientation;
use crate::resample::{self, BoxDownscaler};

/// Errors of building a [`Frame`]: each names what was wrong with the input.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// No bytes at all.
    #[error("image data is empty")]
    Empty,
    /// Bytes that are not JPEG, PNG or WebP.
    #[error("unrecognised image format (expected JPEG, PNG or WebP)")]
    UnsupportedFormat,
    /// A width or height of zero.
    #[error("image has a zero size ({width}x{height})")]
    ZeroSize {
        /// Stated width.
        width: u32,
        /// Stated height.
        height: u32,
    },
    /// More pixels than the configured [`Limits::max_pixels`].
    #[error("image is {width}x{height} ({} pixels), over the limit of {limit} pixels", u64::from(*.width) * u64::from(*.height))]
    TooLarge {
        /// Stated width.
        width: u32,
        /// Stated height.
        height: u32,
        /// The limit in force.
        limit: u64,
    },
    /// An image a decoder must hold whole (progressive JPEG, interlaced PNG, WebP) that would
    /// need more memory than the decoders allow.
    #[error(
        "a {width}x{height} {format} must be decoded whole, which needs about {needed_mb} MB with its file, over the limit of {limit_mb} MB (save it as a baseline JPEG or a non-interlaced PNG, or smaller)"
    )]
    TooLargeToDecode {
        /// "progressive JPEG", "interlaced PNG" or "WebP".
        format: &'static str,
        /// Stated width.
        width: u32,
        /// Stated height.
        height: u32,
        /// The memory it would need, in MiB.
        needed_mb: u64,
        /// The limit, in MiB.
        limit_mb: u64,
    },
    /// More encoded bytes than [`MAX_ENCODED_BYTES`].
    #[error("photo is {len} bytes, over the limit of {limit} bytes ({} MiB)", .limit >> 20)]
    TooManyBytes {
        /// Bytes given.
        len: u64,
        /// The limit.
        limit: u64,
    },
    /// A side longer than a JPEG can be (65,535 pixels), which no camera makes and the redacted
    /// copy could not be written at.
    #[error("image is {width}x{height}: a side over {MAX_SIDE} pixels")]
    SideTooLong {
        /// Stated width.
        width: u32,
        /// Stated height.
        height: u32,
    },
    /// Encoded data that is truncated or corrupt.
    #[error("corrupt or truncated {format} data: {detail}")]
    Corrupt {
        /// JPEG, PNG or WebP.
        format: &'static str,
        /// What the decoder found.
        detail: String,
    },
    /// A camera buffer with the wrong number of planes for its format.
    #[error("{format} frame needs {expected} plane(s), got {got}")]
    PlaneCount {
        /// The pixel format.
        format: PixelFormat,
        /// Planes the format needs.
        expected: &'static str,
        /// Planes given.
        got: usize,
    },
    /// A row stride shorter than a row of pixels.
    #[error("plane {plane}: row stride {stride} is smaller than the {needed} bytes one row needs")]
    StrideTooSmall {
        /// Plane index.
        plane: usize,
        /// Given row stride.
        stride: usize,
        /// Bytes a row needs.
        needed: usize,
    },
    /// A pixel stride the format cannot have.
    #[error("plane {plane}: pixel stride {stride} is not valid here (expected {expected})")]
    BadPixelStride {
        /// Plane index.
        plane: usize,
        /// Given pixel stride.
        stride: usize,
        /// What is accepted.
        expected: &'static str,
    },
    /// A plane buffer shorter than its stated size.
    #[error("plane {plane}: buffer holds {len} bytes but the stated size needs {needed}")]
    BufferTooShort {
        /// Plane index.
        plane: usize,
        /// Bytes given.
        len: usize,
        /// Bytes needed.
        needed: usize,
    },
    /// A rotation that is not a multiple of 90 degrees.
    #[error("rotation must be 0, 90, 180 or 270 degrees, got {0}")]
    BadRotation(i32),
}

/// Convenience alias for frame results.
pub(crate) type Result<T, E = FrameError> = std::result::Result<T, E>;

/// The longest side of any input, in pixels: the most a JPEG can state.
pub const MAX_SIDE: u32 = 65_535;

/// The most bytes an encoded photo may have: 160 MiB, far above any camera's JPEG (a 108 MP
/// phone JPEG is 20–40 MB), and low enough that the file decodes in under 2 s and, with its
/// decoding, stays under 250 MB (`make bombs`: a 188 MB JPEG took 1.85 s). Larger input is
/// refused before decoding.
pub const MAX_ENCODED_BYTES: u64 = 160 << 20;

/// Bounds on the inputs a frame is built from, checked before any pixel memory is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most pixels (width × height) an input may state. Default: 100 million, above the
    /// 50 and 108 megapixel modes of current phone cameras' full-resolution JPEGs.
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_pixels: 100_000_000 }
    }
}

impl Limits {
    /// Checks a stated size against the limits: non-zero, each side at most [`MAX_SIDE`], and no
    /// more than `max_pixels`.
    pub(crate) fn check(&self, width: u32, height: u32) -> Result<()> {
        if width == 0 || height == 0 {
            return Err(FrameError::ZeroSize { width, height });
        }
        if width.max(height) > MAX_SIDE {
            return Err(FrameError::SideTooLong { width, height });
        }
        if u64::from(width) * u64::from(height) > self.max_pixels {
            return Err(FrameError::TooLarge { width, height, limit: self.max_pixels });
        }
        Ok(())
    }
}

/// Pixel layouts of raw camera buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    /// One plane, 4 bytes a pixel in R, G, B, A order (Android `RGBA_8888`).
    Rgba8888,
    /// One plane, 4 bytes a pixel in B, G, R, A order (iOS `kCVPixelFormatType_32BGRA`).
    Bgra8888,
    /// Full-resolution Y then interleaved V/U at half resolution (Android camera1 default):
    /// one plane holding both (Y rows, then V/U rows, same row stride) or two planes.
    Nv21,
    /// Three planes Y, U, V, chroma at half resolution in both directions, each with its own
    /// row and pixel stride (Android `YUV_420_888`: pixel stride 1 for planar, 2 for
    /// semi-planar layouts).
    Yuv420,
}

impl std::fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rgba8888 => "RGBA8888",
            Self::Bgra8888 => "BGRA8888",
            Self::Nv21 => "NV21",
            Self::Yuv420 => "YUV_420_888",
        })
    }
}

/// One plane of a raw camera buffer.
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    /// The plane's bytes; the last row may end right after its last pixel.
    pub data: &'a [u8],
    /// Bytes from the start of one row to the start of the next.
    pub row_stride: usize,
    /// Bytes from one pixel (or chroma sample) to the next within a row.
    pub pixel_stride: usize,
}

/// A raw camera buffer, as CameraX `ImageProxy` or iOS `CVPixelBuffer` hand it over.
#[derive(Debug, Clone, Copy)]
pub struct RawImage<'a> {
    /// Width in pixels, before rotation.
    pub width: u32,
    /// Height in pixels, before rotation.
    pub height: u32,
    /// Layout of `planes`.
    pub format: PixelFormat,
    /// The planes, in the order the format lists them.
    pub planes: &'a [Plane<'a>],
    /// Clockwise rotation that makes the frame upright: 0, 90, 180 or 270.
    pub rotation_degrees: i32,
}

/// An image in the SDK's working form: upright 8-bit RGB, no larger than
/// [`WORKING_LONG_SIDE`](crate::WORKING_LONG_SIDE) on its long side, remembering the size of
/// the photo it came from so that findings can be mapped back to it.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    source_width: u32,
    source_height: u32,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never the pixels
        f.debug_struct("Frame")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("source_width", &self.source_width)
            .field("source_height", &self.source_height)
            .finish()
    }
}

impl Frame {
    /// Builds a frame from an upright RGB image (`width * height * 3` bytes), downscaling it to
    /// the working size.
    pub fn from_rgb8(width: u32, height: u32, rgb: &[u8], limits: &Limits) -> Result<Self> {
        limits.check(width, height)?;
        let needed = width as usize * height as usize * 3;
        if rgb.len() < needed {
            return Err(FrameError::BufferTooShort { plane: 0, len: rgb.len(), needed });
        }
        let mut ds = Self::downscaler(width, height);
        for row in rgb[..needed].chunks_exact(width as usize * 3) {
            ds.push_row(row);
        }
        Ok(Self::finish(ds, Orientation::Normal, (width, height)))
    }

    /// Builds a frame from encoded JPEG, PNG or WebP bytes, applying EXIF orientation.
    pub fn from_encoded(bytes: &[u8], limits: &Limits) -> Result<Self> {
        crate::decode::decode(bytes, limits)
    }

    /// Decodes an encoded photo keeping up to `long_side` pixels on its long side (`u32::MAX`
    /// keeps full resolution), applying EXIF orientation: for output that leaves the device
    /// (a redacted copy), not for the models, which read [`from_encoded`](Self::from_encoded)'s
    /// working size.
    pub fn from_encoded_at(bytes: &[u8], limits: &Limits, long_side: u32) -> Result<Self> {
        crate::decode::decode_to(bytes, limits, long_side.max(1))
    }

    /// Builds a frame from a raw camera buffer, applying its rotation.
    pub fn from_raw(image: &RawImage<'_>, limits: &Limits) -> Result<Self> {
        crate::raw::convert(image, limits)
    }

    /// Width of the working image.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height of the working image.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The working image's pixels: `width * height` RGB triples, row by row.
    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }

    /// Size of the upright source photo or frame, before downscaling.
    pub fn source_size(&self) -> (u32, u32) {
        (self.source_width, self.source_height)
    }

    /// A copy no larger than `long_side` on its long side (box-filtered), for thumbnails.
    pub fn downscaled(&self, long_side: u32) -> Self {
        let (w, h) = resample::fit_within(self.width, self.height, long_side.max(1));
        let rgb = resample::downscale_rgb(&self.rgb, self.width, self.height, w, h);
        Self { width: w, height: h, rgb, ..*self }
    }

    /// A downscaler from a stored (not yet upright) source size to the working size.
    pub(crate) fn downscaler(width: u32, height: u32) -> BoxDownscaler {
        Self::downscaler_to(width, height, resample::WORKING_LONG_SIDE)
    }

    /// A downscaler from a stored source size to at most `long_side` on the long side.
    pub(crate) fn downscaler_to(width: u32, height: u32, long_side: u32) -> BoxDownscaler {
        let (dw, dh) = resample::fit_within(width, height, long_side);
        BoxDownscaler::new(width, height, dw, dh)
    }

    /// The pixels, for in-place edits (redaction).
    pub(crate) fn rgb_mut(&mut self) -> &mut [u8] {
        &mut self.rgb
    }

    /// Completes a frame from a downscaler that received every row of the stored image.
    /// `stored_size` is the full-resolution size as stored, before orientation (larger than
    /// the downscaler's source when the decoder already reduced the scale).
    pub(crate) fn finish(ds: BoxDownscaler, orientation: Orientation, stored_size: (u32, u32)) -> Self {
        let (w, h, rgb) = ds.finish();
        let (w, h, rgb) = orientation.apply(rgb, w, h);
        let (sw, sh) = stored_size;
        let (source_width, source_height) = if orientation.swaps_axes() { (sh, sw) } else { (sw, sh) };
        Self { width: w, height: h, rgb, source_width, source_height }
    }
}
