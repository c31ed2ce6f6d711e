//! JPEG decoding through libjpeg-turbo, at reduced DCT scale and row by row.
//!
//! libjpeg-turbo (here mozjpeg's build of it, whose decoder is libjpeg-turbo's) decodes with
//! SIMD on x86 and ARM: a 12 MP photo at 1/4 scale takes about half the time of the pure-Rust
//! `jpeg-decoder`, on one thread. Its C error handling is wrapped by a small shim
//! (`src/shim.c`) that turns libjpeg's `error_exit` into a return code, so an error is a
//! [`Error`], never a panic or an abort.
//!
//! ```no_run
//! # fn main() -> Result<(), proofshot_jpeg::Error> {
//! let bytes = std::fs::read("photo.jpg").expect("read");
//! let mut dec = proofshot_jpeg::Decoder::new(&bytes, 64 << 20)?;
//! let header = dec.header();
//! let out = dec.start(4)?; // 1/4 scale
//! let mut rows = vec![0u8; out.width as usize * out.components as usize * 16];
//! while dec.read_rows(&mut rows)? > 0 {}
//! # let _ = header; Ok(())
//! # }
//! ```

mod ffi;

use std::fmt;

/// A decoding error, with libjpeg's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The colour space the file stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorSpace {
    /// One grey channel.
    Gray,
    /// RGB, or YCbCr (converted to RGB).
    Rgb,
    /// CMYK, or YCCK (converted to CMYK).
    Cmyk,
    /// Anything else libjpeg reads (decoded as RGB).
    Other,
}

/// What the file's headers say, read before any pixel is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Components in the file (1, 3 or 4).
    pub components: u8,
    /// The stored colour space.
    pub color: ColorSpace,
    /// Progressive (the decoder holds every coefficient) rather than baseline.
    pub progressive: bool,
    /// An Adobe APP14 marker was seen: CMYK is then stored inverted (0 = full ink), as
    /// Photoshop and Pillow write it.
    pub adobe: bool,
}

/// The decoded image's size and layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    /// Width in pixels, after scaling.
    pub width: u32,
    /// Height in pixels, after scaling.
    pub height: u32,
    /// Bytes per pixel: 1 (grey), 3 (RGB) or 4 (CMYK, as stored: see [`Header::adobe`]).
    pub components: u8,
}

impl Output {
    /// Bytes in one row.
    pub fn stride(&self) -> usize {
        self.width as usize * usize::from(self.components)
    }
}

/// A JPEG being decoded. It borrows the file's bytes for as long as it lives.
pub struct Decoder<'a> {
    raw: ffi::Handle<'a>,
    header: Header,
    output: Option<Output>,
    failed: bool,
}

impl<'a> Decoder<'a> {
    /// Reads the headers of `bytes`. `max_memory` bounds what libjpeg may allocate while
    /// decoding (a progressive file's coefficients among it): past it decoding fails.
    pub fn new(bytes: &'a [u8], max_memory: u64) -> Result<Self, Error> {
        let mut raw = ffi::Handle::new(bytes)?;
        let h = raw.read_header(max_memory)?;
        let color = match h.color_space {
            1 => ColorSpace::Gray,
            2 | 3 => ColorSpace::Rgb,
            4 | 5 => ColorSpace::Cmyk,
            _ => ColorSpace::Other,
        };
        let header = Header {
            width: h.width,
            height: h.height,
            components: u8::try_from(h.components).unwrap_or(0),
            color,
            progressive: h.progressive != 0,
            adobe: h.adobe != 0,
        };
        Ok(Self { raw, header, output: None, failed: false })
    }

    /// The file's headers.
    pub fn header(&self) -> Header {
        self.header
    }

    /// Starts decoding at 1/`denom` scale (1, 2, 4 or 8; each side rounded up): grey files to
    /// grey, CMYK and YCCK files to CMYK, the rest to RGB.
    pub fn start(&mut self, denom: u8) -> Result<Output, Error> {
        if !matches!(denom, 1 | 2 | 4 | 8) {
            return Err(Error(format!("scale 1/{denom} is not one of 1, 1/2, 1/4, 1/8")));
        }
        if self.failed || self.output.is_some() {
            return Err(Error("decoding was already started or failed".into()));
        }
        let out = self.raw.start(u32::from(denom)).inspect_err(|_| self.failed = true)?;
        let output =
            Output { width: out.width, height: out.height, components: u8::try_from(out.components).unwrap_or(0) };
        self.output = Some(output);
        Ok(output)
    }

    /// Decodes the next rows into `buf`, as many whole rows as fit ([`Output::stride`] bytes
    /// each), and returns how many; 0 once every row was read.
    pub fn read_rows(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let Some(out) = self.output.filter(|_| !self.failed) else {
            return Err(Error("decoding was not started, or failed".into()));
        };
        let stride = out.stride();
        let max_rows = u32::try_from(buf.len() / stride.max(1)).unwrap_or(u32::MAX);
        if max_rows == 0 {
            return Err(Error(format!("a buffer of {} bytes holds no row of {stride} bytes", buf.len())));
        }
        let rows = self.raw.read_rows(buf, stride, max_rows).inspect_err(|_| self.failed = true)?;
        Ok(rows as usize)
    }
}
