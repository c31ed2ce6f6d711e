//! The shim's C interface (`src/shim.c`). The only unsafe code of the project's own.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_long, c_uint, c_ulong, CStr};
use std::ptr::NonNull;

use crate::Error;

// mozjpeg-sys builds and links libjpeg itself; nothing of its Rust API is used
use mozjpeg_sys as _;

#[repr(C)]
struct PsJpeg {
    _opaque: [u8; 0],
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct RawHeader {
    pub(crate) width: c_uint,
    pub(crate) height: c_uint,
    pub(crate) components: c_int,
    pub(crate) color_space: c_int,
    pub(crate) progressive: c_int,
    pub(crate) adobe: c_int,
}

#[repr(C)]
#[derive(Default)]
pub(crate) struct RawOutput {
    pub(crate) width: c_uint,
    pub(crate) height: c_uint,
    pub(crate) components: c_int,
}

extern "C" {
    fn ps_jpeg_new() -> *mut PsJpeg;
    fn ps_jpeg_message(p: *const PsJpeg) -> *const c_char;
    fn ps_jpeg_read_header(
        p: *mut PsJpeg,
        data: *const u8,
        len: c_ulong,
        max_memory: c_long,
        out: *mut RawHeader,
    ) -> c_int;
    fn ps_jpeg_start(p: *mut PsJpeg, denom: c_uint, out: *mut RawOutput) -> c_int;
    fn ps_jpeg_read_rows(p: *mut PsJpeg, buf: *mut u8, stride: usize, max_rows: c_uint, rows: *mut c_uint) -> c_int;
    fn ps_jpeg_free(p: *mut PsJpeg);
}

/// One libjpeg decompressor, reading `bytes`; destroyed on drop.
pub(crate) struct Handle<'a> {
    ptr: NonNull<PsJpeg>,
    bytes: &'a [u8],
}

impl<'a> Handle<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Self, Error> {
        // SAFETY: ps_jpeg_new only allocates (calloc); null is handled
        let ptr = NonNull::new(unsafe { ps_jpeg_new() }).ok_or_else(|| Error("out of memory".into()))?;
        Ok(Self { ptr, bytes })
    }

    fn check(&self, rc: c_int) -> Result<(), Error> {
        if rc == 0 {
            return Ok(());
        }
        // SAFETY: the message is a NUL-terminated buffer inside the handle, written by
        // libjpeg's format_message (bounded by JMSG_LENGTH_MAX) before the error returned
        let msg = unsafe { CStr::from_ptr(ps_jpeg_message(self.ptr.as_ptr())) };
        Err(Error(msg.to_string_lossy().into_owned()))
    }

    pub(crate) fn read_header(&mut self, max_memory: u64) -> Result<RawHeader, Error> {
        let len = c_ulong::try_from(self.bytes.len()).map_err(|_| Error("file too large".into()))?;
        let max_memory = c_long::try_from(max_memory).unwrap_or(c_long::MAX);
        let mut out = RawHeader::default();
        // SAFETY: `bytes` outlives the handle (the lifetime 'a), and libjpeg only reads it; the
        // handle is called once for the header, as the shim requires
        let rc = unsafe { ps_jpeg_read_header(self.ptr.as_ptr(), self.bytes.as_ptr(), len, max_memory, &mut out) };
        self.check(rc).map(|()| out)
    }

    pub(crate) fn start(&mut self, denom: u32) -> Result<RawOutput, Error> {
        let mut out = RawOutput::default();
        // SAFETY: called once, after a successful read_header (the Decoder ensures both)
        let rc = unsafe { ps_jpeg_start(self.ptr.as_ptr(), denom, &mut out) };
        self.check(rc).map(|()| out)
    }

    /// `buf` must hold `max_rows` rows of `stride` bytes, and `stride` must be the output's row.
    pub(crate) fn read_rows(&mut self, buf: &mut [u8], stride: usize, max_rows: u32) -> Result<u32, Error> {
        assert!(buf.len() >= stride * max_rows as usize, "buffer too small for {max_rows} rows");
        let mut rows: c_uint = 0;
        // SAFETY: buf holds max_rows rows of stride bytes (asserted); libjpeg writes
        // output_width * output_components bytes a row, which is stride (the Decoder passes the
        // output's own); called only after a successful start
        let rc = unsafe { ps_jpeg_read_rows(self.ptr.as_ptr(), buf.as_mut_ptr(), stride, max_rows, &mut rows) };
        self.check(rc).map(|()| rows)
    }
}

impl Drop for Handle<'_> {
    fn drop(&mut self) {
        // SAFETY: the pointer came from ps_jpeg_new and is freed once; ps_jpeg_free destroys the
        // decompressor whatever state an error left it in
        unsafe { ps_jpeg_free(self.ptr.as_ptr()) }
    }
}
