//! Raw camera buffers with arbitrary sizes, strides, formats and rotations: an error or a
//! well-formed frame, never a panic or an out-of-bounds read.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use proofshot_core::{Frame, Limits, PixelFormat, Plane, RawImage};

#[derive(Arbitrary, Debug)]
struct Input {
    width: u16,
    height: u16,
    format: u8,
    rotation: i16,
    planes: Vec<(u16, u8, Vec<u8>)>,
}

fuzz_target!(|input: Input| {
    let format = match input.format % 4 {
        0 => PixelFormat::Rgba8888,
        1 => PixelFormat::Bgra8888,
        2 => PixelFormat::Nv21,
        _ => PixelFormat::Yuv420,
    };
    let planes: Vec<Plane<'_>> = input
        .planes
        .iter()
        .take(4)
        .map(|(row_stride, pixel_stride, data)| Plane {
            data,
            row_stride: usize::from(*row_stride),
            pixel_stride: usize::from(*pixel_stride),
        })
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
