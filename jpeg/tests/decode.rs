//! libjpeg through the shim: scales, colour spaces, and every error as an `Error`.

use jpeg_encoder::{ColorType, Encoder};
use proofshot_jpeg::{ColorSpace, Decoder};

const MEM: u64 = 64 << 20;

/// A w x h gradient: red across, green down, blue 96.
fn rgb(w: u16, h: u16) -> Vec<u8> {
    let mut px = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            px.extend([(u32::from(x) * 255 / u32::from(w)) as u8, (u32::from(y) * 255 / u32::from(h)) as u8, 96]);
        }
    }
    px
}

fn encode(px: &[u8], w: u16, h: u16, color: ColorType, progressive: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, 92);
    enc.set_progressive(progressive);
    enc.encode(px, w, h, color).expect("encode");
    out
}

fn decode_all(bytes: &[u8], denom: u8) -> Result<(proofshot_jpeg::Output, Vec<u8>), proofshot_jpeg::Error> {
    let mut dec = Decoder::new(bytes, MEM)?;
    let out = dec.start(denom)?;
    let mut all = Vec::new();
    let mut buf = vec![0u8; out.stride() * 5]; // not a multiple of an MCU row
    loop {
        let rows = dec.read_rows(&mut buf)?;
        if rows == 0 {
            break;
        }
        all.extend_from_slice(&buf[..rows * out.stride()]);
    }
    Ok((out, all))
}

#[test]
fn every_scale_has_the_rounded_up_size_and_the_colours() {
    let (w, h) = (203u16, 117u16);
    let px = rgb(w, h);
    let jpeg = encode(&px, w, h, ColorType::Rgb, false);
    let header = Decoder::new(&jpeg, MEM).expect("header").header();
    assert_eq!((header.width, header.height, header.components), (203, 117, 3));
    assert_eq!(header.color, ColorSpace::Rgb);
    assert!(!header.progressive);
    for denom in [1u8, 2, 4, 8] {
        let (out, all) = decode_all(&jpeg, denom).expect("decodes");
        let d = u32::from(denom);
        assert_eq!((out.width, out.height, out.components), (203u32.div_ceil(d), 117u32.div_ceil(d), 3));
        assert_eq!(all.len(), out.stride() * out.height as usize);
        // the middle pixel is the source's, within JPEG's error
        let (x, y) = (out.width as usize / 2, out.height as usize / 2);
        let got = &all[(y * out.width as usize + x) * 3..][..3];
        let (sx, sy) =
            (x * usize::from(denom) + usize::from(denom) / 2, y * usize::from(denom) + usize::from(denom) / 2);
        let want = &px[(sy * usize::from(w) + sx) * 3..][..3];
        for (g, s) in got.iter().zip(want) {
            assert!(g.abs_diff(*s) <= 8, "1/{denom}: {got:?} against {want:?}");
        }
    }
}

#[test]
fn grey_and_progressive_files_decode() {
    let (w, h) = (64u16, 40u16);
    let grey: Vec<u8> = rgb(w, h).chunks(3).map(|p| p[0]).collect();
    let (out, all) = decode_all(&encode(&grey, w, h, ColorType::Luma, false), 2).expect("grey");
    assert_eq!((out.width, out.height, out.components), (32, 20, 1));
    assert_eq!(all.len(), 32 * 20);

    let jpeg = encode(&rgb(w, h), w, h, ColorType::Rgb, true);
    assert!(Decoder::new(&jpeg, MEM).expect("header").header().progressive);
    let (out, _) = decode_all(&jpeg, 1).expect("progressive");
    assert_eq!((out.width, out.height), (64, 40));
}

#[test]
fn bad_data_is_an_error_with_libjpegs_message() {
    let err = Decoder::new(b"not a jpeg at all", MEM).err().expect("refused");
    assert!(err.0.contains("Not a JPEG file"), "{err}");
    assert!(Decoder::new(&[], MEM).is_err());

    // cut off in the middle of the scan: an error, not grey rows
    let jpeg = encode(&rgb(320, 240), 320, 240, ColorType::Rgb, false);
    let err = decode_all(&jpeg[..jpeg.len() / 2], 1).expect_err("truncated");
    assert!(err.0.contains("Premature end"), "{err}");

    // a frame header that says 0 x 0
    let mut zero = jpeg.clone();
    let sof = zero.windows(2).position(|m| m == [0xFF, 0xC0]).expect("SOF0");
    zero[sof + 5..sof + 9].fill(0);
    assert!(decode_all(&zero, 1).is_err());
}

#[test]
fn memory_past_the_bound_is_refused() {
    // a progressive file holds every coefficient: 2 bytes each, here about 3 MB
    let jpeg = encode(&rgb(1024, 1024), 1024, 1024, ColorType::Rgb, true);
    let mut dec = Decoder::new(&jpeg, 1 << 20).expect("header");
    let err = dec.start(1).expect_err("over 1 MiB");
    assert!(err.0.contains("Backing store not supported"), "{err}");
    assert!(dec.read_rows(&mut [0u8; 4096]).is_err(), "nothing after an error");
    assert!(decode_all(&jpeg, 1).is_ok(), "within the bound");
}

#[test]
fn misuse_is_an_error() {
    let jpeg = encode(&rgb(16, 16), 16, 16, ColorType::Rgb, false);
    let mut dec = Decoder::new(&jpeg, MEM).expect("header");
    assert!(dec.read_rows(&mut [0u8; 64]).is_err(), "rows before start");
    assert!(dec.start(3).is_err(), "scale 1/3");
    let out = dec.start(1).expect("start");
    assert!(dec.start(1).is_err(), "started twice");
    assert!(dec.read_rows(&mut [0u8; 10]).is_err(), "a buffer smaller than a row");
    let mut buf = vec![0u8; out.stride() * 16];
    assert_eq!(dec.read_rows(&mut buf).expect("rows"), 16);
    assert_eq!(dec.read_rows(&mut buf).expect("done"), 0);
}
