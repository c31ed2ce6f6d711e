//! Decoding arbitrary bytes never panics, keeps within the production limits, and any frame it
//! returns fits the working size. Run with a time and memory budget per input (`make fuzz`:
//! `-timeout`, `-rss_limit_mb`, `-malloc_limit_mb`) and inputs up to a megabyte, so that the
//! decode bombs of issue 22 (tiny files stating huge images, repeated scans, inflating chunks)
//! are within its reach; `make bombs` writes the small ones into the corpus as seeds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use proofshot_core::{Frame, Limits, MAX_SIDE, WORKING_LONG_SIDE};

fuzz_target!(|data: &[u8]| {
    // the limits verification runs with: the bounds under test are the production ones
    let limits = Limits::default();
    if let Ok(frame) = Frame::from_encoded(data, &limits) {
        assert!(frame.width() >= 1 && frame.height() >= 1);
        assert!(frame.width().max(frame.height()) <= WORKING_LONG_SIDE);
        assert_eq!(frame.rgb().len(), frame.width() as usize * frame.height() as usize * 3);
        let (sw, sh) = frame.source_size();
        assert!(u64::from(sw) * u64::from(sh) <= limits.max_pixels);
        assert!(sw.max(sh) <= MAX_SIDE);
    }
});
