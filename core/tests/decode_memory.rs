//! Decode memory seen from the outside: the process's peak resident memory (Linux `VmHWM`)
//! around one decode. Its own test binary, one test, so that no other test's memory counts.

use proofshot_core::{Frame, Limits};
use proofshot_fixtures::bombs;

/// The process's peak resident memory so far, in MiB.
#[cfg(target_os = "linux")]
fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM line");
    kb / 1024
}

#[cfg(target_os = "linux")]
#[test]
fn a_png_colour_profile_is_never_inflated() {
    // 256 MiB of profile in a quarter of a megabyte of file, in front of an 8x8 image
    let bomb = bombs::png_iccp_bomb(256 << 20);
    assert!(bomb.len() < 300_000, "{}", bomb.len());
    let before = peak_mib();
    let f = Frame::from_encoded(&bomb, &Limits::default()).expect("the pixels decode");
    let grown = peak_mib().saturating_sub(before);
    assert_eq!((f.width(), f.height()), (8, 8));
    assert!(grown < 32, "peak memory grew by {grown} MiB decoding an 8x8 PNG: its profile was inflated");
}
