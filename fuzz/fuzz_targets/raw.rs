//! Raw camera buffers: an error or a well-formed frame, never a panic or an out-of-bounds read.
//!
//! Plane sizes are derived from the stated geometry (stride padding and a shortfall are fuzzed),
//! so most inputs are valid or nearly so and the conversion loops run, not just the checks;
//! `wild` inputs take strides and lengths as given.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use proofshot_core::{Frame, Limits, PixelFormat, Plane, RawImage};

#[derive(Arbitrary, Debug)]
struct PlaneSpec {
    pad: u8,
    pixel_stride: u8,
    shortfall: u8,
    fill: u8,
}

#[derive(Arbitrary, Debug)]
struct Input {
    width: u8,
    height: u8,
    format: u8,
    rotation: i16,
    plane_count: u8,
    wild: bool,
    planes: [PlaneSpec; 3],
    wild_strides: [u16; 3],
}

fuzz_target!(|input: Input| {
    let (w, h) = (usize::from(input.width), usize::from(input.height));
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let format = match input.format % 4 {
        0 => PixelFormat::Rgba8888,
        1 => PixelFormat::Bgra8888,
        2 => PixelFormat::Nv21,
        _ => PixelFormat::Yuv420,
    };
    // natural (row bytes, rows, pixel stride) of each plane for the format
    let natural: Vec<(usize, usize, usize)> = match format {
        PixelFormat::Rgba8888 | PixelFormat::Bgra8888 => vec![(w * 4, h, 4)],
        PixelFormat::Nv21 => vec![(w, h, 1), (cw * 2, ch, 2)],
        PixelFormat::Yuv420 => vec![(w, h, 1), (cw, ch, 1), (cw, ch, 1)],
    };
    let count = match input.plane_count % 4 {
        0 => natural.len(),
        n => usize::from(n),
    };
    let mut buffers = Vec::new();
    let mut strides = Vec::new();
    for i in 0..count {
        let spec = &input.planes[i];
        let (row_bytes, rows, pixel_stride) = natural.get(i).copied().unwrap_or((w, h, 1));
        let pixel_stride = if spec.pixel_stride % 4 == 0 { pixel_stride } else { usize::from(spec.pixel_stride % 5) };
        let row_stride = if input.wild { usize::from(input.wild_strides[i]) } else { row_bytes * pixel_stride.max(1) + usize::from(spec.pad % 16) };
        let len = (row_stride * rows).saturating_sub(usize::from(spec.shortfall % 8));
        buffers.push(vec![spec.fill; len]);
        strides.push((row_stride, pixel_stride));
    }
    let planes: Vec<Plane<'_>> = buffers
        .iter()
        .zip(&strides)
        .map(|(data, &(row_stride, pixel_stride))| Plane { data, row_stride, pixel_stride })
        .collect();
    let image = RawImage {
        width: u32::from(input.width),
        height: u32::from(input.height),
        format,
        planes: &planes,
        rotation_degrees: i32::from(input.rotation),
    };
    if let Ok(frame) = Frame::from_raw(&image, &Limits::default()) {
        assert_eq!(frame.rgb().len(), frame.width() as usize * frame.height() as usize * 3);
        let (sw, sh) = frame.source_size();
        assert_eq!(u64::from(sw) * u64::from(sh), u64::from(input.width) * u64::from(input.height));
    }
});
