//! Decoding arbitrary bytes never panics, never allocates past the limits, and any frame it
//! returns fits the working size.
#![no_main]
use libfuzzer_sys::fuzz_target;
use proofshot_core::{Frame, Limits, WORKING_LONG_SIDE};

fuzz_target!(|data: &[u8]| {
    // a small pixel limit keeps each run fast and checks the limit is enforced before decoding
    let limits = Limits { max_pixels: 4_000_000 };
    if let Ok(frame) = Frame::from_encoded(data, &limits) {
        assert!(frame.width() >= 1 && frame.height() >= 1);
        assert!(frame.width().max(frame.height()) <= WORKING_LONG_SIDE);
        assert_eq!(frame.rgb().len(), frame.width() as usize * frame.height() as usize * 3);
        let (sw, sh) = frame.source_size();
        assert!(u64::from(sw) * u64::from(sh) <= limits.max_pixels);
    }
});
