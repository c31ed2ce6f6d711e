//! `make bombs`: time and peak memory of decoding hostile images (issue 22), one process per
//! case so that each peak is its own. Every case is made by `proofshot_fixtures::bombs`, written
//! to a temporary file, and decoded by a child process (`--case FILE`) the way verification
//! decodes a photo (`Frame::from_encoded`, default limits); the child reports its wall time, its
//! peak resident memory (Linux's `VmHWM`) and the outcome.
//!
//! The bound promised: every input within the limits decodes in under 2 s at under 250 MB peak
//! resident memory, or is refused before the work. `--seeds DIR` writes the small cases as
//! fuzzing seeds instead (`make fuzz`).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use proofshot_core::{Frame, Limits};
use proofshot_fixtures::bombs::{self, PngColor};

fn cases() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("PNG 16-bit RGBA 100,000,000x1", bombs::png_black(100_000_000, 1, 16, PngColor::Rgba, false)),
        ("PNG 16-bit RGBA 65,535x1,525 (widest accepted)", bombs::png_black(65_535, 1_525, 16, PngColor::Rgba, false)),
        ("PNG 8-bit grey 10,000x10,000", bombs::png_black(10_000, 10_000, 8, PngColor::Gray, false)),
        ("PNG 16-bit RGBA 10,000x10,000", bombs::png_black(10_000, 10_000, 16, PngColor::Rgba, false)),
        ("PNG 8-bit RGB 9,000x9,000, noisy (over the file limit)", bombs::png_noisy(9_000, 9_000, 7)),
        ("PNG 8-bit RGB 8,200x8,200, noisy, Paeth-filtered", bombs::png_noisy(8_200, 8_200, 7)),
        ("PNG interlaced 16-bit RGBA 10,000x10,000", bombs::png_black(10_000, 10_000, 16, PngColor::Rgba, true)),
        ("PNG interlaced 16-bit RGBA 6,000x6,000", bombs::png_black(6_000, 6_000, 16, PngColor::Rgba, true)),
        ("PNG with a 1 GB iCCP profile", bombs::png_iccp_bomb(1 << 30)),
        ("WebP lossless 10,000x10,000", bombs::webp_lossless_black(10_000, 10_000)),
        ("WebP lossless 4,000x4,000", bombs::webp_lossless_black(4_000, 4_000)),
        ("JPEG baseline 10,000x10,000, noisy, quality 95", bombs::jpeg_noisy(10_000, 10_000, 95, 7)),
        ("JPEG baseline 10,000x10,000, noisy, quality 98 (over)", bombs::jpeg_noisy(10_000, 10_000, 98, 7)),
        ("JPEG baseline 9,500x9,500, noisy, quality 97", bombs::jpeg_noisy(9_500, 9_500, 97, 7)),
        ("JPEG progressive 6,000x4,000, noisy, quality 95", bombs::jpeg_noisy_progressive(6_000, 4_000, 95, 7)),
        ("JPEG progressive CMYK 10,000x10,000", bombs::jpeg_progressive(10_000, 10_000, 4)),
        ("JPEG progressive YCbCr 8,000x6,000", bombs::jpeg_progressive(8_000, 6_000, 3)),
        ("JPEG progressive 2,000x2,000, last scan 5,000 more times", bombs::jpeg_repeated_scans(2_000, 2_000, 5_000)),
        ("JPEG progressive 4,000x3,000, last scan 60 more times", bombs::jpeg_repeated_scans(4_000, 3_000, 60)),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, path] = args.as_slice() {
        match flag.as_str() {
            "--case" => return child(Path::new(path)),
            "--seeds" => return seeds(Path::new(path)),
            _ => {}
        }
    }
    let dir = std::env::temp_dir().join(format!("proofshot-bombs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    println!("{:<58} {:>11} {:>9} {:>9} {:>10}  outcome", "case", "file", "time", "peak RSS", "past file");
    // the file is the caller's memory before the SDK is called: the bound is on what decoding adds
    let mut worst = (0.0f64, 0u64);
    for (i, (name, bytes)) in cases().into_iter().enumerate() {
        let file = dir.join(format!("case-{i}"));
        std::fs::write(&file, &bytes).expect("write case");
        let out = Command::new(&args[0]).arg("--case").arg(&file).output().expect("child runs");
        let report = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<&str> = report.trim().splitn(3, '\t').collect();
        match fields.as_slice() {
            [ms, kb, outcome] => {
                let (ms, kb): (f64, u64) = (ms.parse().unwrap_or(f64::NAN), kb.parse().unwrap_or(0));
                worst = (worst.0.max(ms), worst.1.max(kb));
                let past = (kb * 1024).saturating_sub(bytes.len() as u64) >> 20;
                println!(
                    "{name:<58} {:>9} B {:>6.0} ms {:>6} MB {:>7} MB  {outcome}",
                    bytes.len(),
                    ms,
                    kb / 1024,
                    past
                );
            }
            _ => println!(
                "{name:<58} {:>8} B  child failed: {}",
                bytes.len(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        }
        let _ = std::fs::remove_file(&file);
    }
    let _ = std::fs::remove_dir(&dir);
    println!("worst: {:.0} ms, {} MB peak RSS, the file included (bound: 2000 ms, 250 MB)", worst.0, worst.1 / 1024);
}

/// Writes the cases of at most 1 MiB into `dir` (`bomb-N`), as fuzzing seeds: the `encoded`
/// target then starts from the bombs and mutates them.
fn seeds(dir: &Path) {
    std::fs::create_dir_all(dir).expect("seed folder");
    let mut written = 0;
    for (i, (_, bytes)) in cases().into_iter().enumerate() {
        if bytes.len() <= 1 << 20 {
            std::fs::write(dir.join(format!("bomb-{i}")), bytes).expect("write seed");
            written += 1;
        }
    }
    println!("{written} seeds written to {}", dir.display());
}

/// Decodes one file; prints `milliseconds<TAB>peak kB<TAB>outcome`.
fn child(file: &Path) {
    let bytes = std::fs::read(file).expect("case file");
    let start = Instant::now();
    let outcome = match Frame::from_encoded(&bytes, &Limits::default()) {
        Ok(f) => format!("decoded to {}x{}", f.width(), f.height()),
        Err(e) => format!("refused: {e}"),
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    println!("{ms:.1}\t{peak_kb}\t{outcome}");
}
