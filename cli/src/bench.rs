//! `proofshot bench`: decode and model time on generated inputs, and peak memory.
//!
//! Timings are medians over `--iterations` runs on one thread (the models' sessions are
//! single-threaded). Peak memory is the process's peak resident set (Linux `VmHWM`), reset
//! before decoding where the kernel allows it, so the decode peak is the decoder's own.

use std::time::Instant;

use proofshot_core::{Frame, Limits, PixelFormat, Plane, RawImage};
use proofshot_fixtures as fx;
use serde_json::json;

use crate::{exit, EngineArgs, Failure};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    engine: EngineArgs,
    /// Runs per measurement.
    #[arg(long, default_value_t = 30)]
    iterations: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Median time to record one attempt (reuse check, seal, sign, commit) in a fresh store
/// in the system temp folder, with the chain growing over the runs.
fn store_append_ms(
    verifier: &proofshot_core::Verifier,
    verdict: &proofshot_core::Verdict,
    n: usize,
    p256: bool,
) -> Result<f64, Failure> {
    use proofshot_evidence::{EvidenceStore, HmacSha256Signer, P256Signer, PhotoIdentity, Signer, StoreConfig};
    let dir = std::env::temp_dir().join(format!("proofshot-bench-{}-{p256}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| Failure::usage(format!("{}: {e}", dir.display())))?;
    let signer: std::sync::Arc<dyn Signer> = if p256 {
        std::sync::Arc::new(P256Signer::from_bytes("bench", &[7u8; 32]).expect("a valid scalar"))
    } else {
        std::sync::Arc::new(HmacSha256Signer::new("bench", b"bench secret".to_vec()))
    };
    let store = EvidenceStore::open(dir.join("evidence.db"), signer, StoreConfig::default())
        .map_err(|e| Failure::usage(e.to_string()))?;
    let models = (verifier.models().version.as_str(), verifier.model_hashes());
    let mut i = 0u64;
    let (ms, result) = time(n.max(50), || {
        i += 1;
        let h = |k: u64| (i * 16 + k).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let photo = PhotoIdentity {
            sha256: format!("{i:064x}"),
            phash: proofshot_core::PhotoHash { full: h(0), crops: std::array::from_fn(|k| h(k as u64 + 1)) },
            redacted_sha256: None,
        };
        store.record_attempt(
            verifier.policy(),
            models,
            &format!("stop-{i}"),
            verdict.clone(),
            &photo,
            Default::default(),
        )
    });
    let _ = std::fs::remove_dir_all(&dir);
    result.map_err(|e| Failure::usage(e.to_string()))?;
    Ok(ms)
}

fn median_ms(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

fn time<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut last = None;
    let runs = (0..n.max(1))
        .map(|_| {
            let t = Instant::now();
            last = Some(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    (median_ms(runs), last.expect("at least one run"))
}

/// A memory figure from `/proc/self/status` in MiB (`VmHWM`: peak resident set, `VmRSS`:
/// current), where the platform tells it.
fn status_mib(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.strip_prefix(key).is_some_and(|rest| rest.starts_with(':')))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak to the current resident set (Linux 4.0+); false where not allowed.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

pub(crate) fn run(args: &Args) -> Result<u8, Failure> {
    let n = args.iterations.max(1);
    let limits = Limits::default();
    eprintln!("rendering a 4000x3000 scene (12 MP) and a 1920x1080 frame ...");
    let jpeg_12mp = fx::encode_jpeg(&fx::porch_scene(4000, 3000, 11), 90, Some(6));
    let hd = fx::porch_scene(1920, 1080, 12);
    let rgba = hd.to_rgba(1920 * 4 + 64, false); // padded rows, as camera buffers have
    drop(hd);

    // decode alone, before the runtime is loaded, so its peak is its own
    let base_rss = status_mib("VmRSS");
    let resettable = reset_peak();
    let (decode_ms, frame_12mp) = time(n, || Frame::from_encoded(&jpeg_12mp, &limits));
    let frame_12mp = frame_12mp.map_err(|e| Failure::usage(e.to_string()))?;
    let decode_peak = status_mib("VmHWM");

    let planes = [Plane { data: &rgba, row_stride: 1920 * 4 + 64, pixel_stride: 4 }];
    let raw =
        RawImage { width: 1920, height: 1080, format: PixelFormat::Rgba8888, planes: &planes, rotation_degrees: 90 };
    let (convert_ms, frame_hd) = time(n, || Frame::from_raw(&raw, &limits));
    let frame_hd = frame_hd.map_err(|e| Failure::usage(e.to_string()))?;

    let policy = args.engine.policy()?;
    // the first verifier loads ONNX Runtime too; later ones only build their sessions
    let start = Instant::now();
    let verifier = args.engine.verifier_with(policy.clone(), None)?;
    let create_first_ms = start.elapsed().as_secs_f64() * 1000.0;
    verifier.verify_frame(&frame_hd)?; // warm-up
    let (quality_ms, _) = time(n, || verifier.quality(&frame_hd));
    let (vision_ms, _) = time(n, || verifier.vision(&frame_hd));
    let mut stages: [Vec<f64>; 5] = Default::default();
    for _ in 0..n {
        let ms = verifier.vision_stage_ms(&frame_hd)?;
        for (runs, v) in stages.iter_mut().zip(ms) {
            runs.push(v);
        }
    }
    let [vision_pre_ms, backbone_ms, heads_ms, objects_ms, scene_ms] = stages.map(median_ms);
    let (verify_hd_ms, _) = time(n, || verifier.verify_frame(&frame_hd));
    let (verify_12mp_ms, _) = time(n, || verifier.verify_frame(&frame_12mp));
    let (end_to_end_ms, _) = time(n, || verifier.verify_encoded(&jpeg_12mp));
    // live guidance on a 640x480 NV21 preview frame, conversion included
    let preview = fx::porch_scene(640, 480, 13).to_nv21();
    let preview_planes = [Plane { data: &preview, row_stride: 640, pixel_stride: 1 }];
    let preview_raw =
        RawImage { width: 640, height: 480, format: PixelFormat::Nv21, planes: &preview_planes, rotation_degrees: 0 };
    verifier.guide_raw(&preview_raw)?; // warm-up
    let (guide_ms, _) = time(n, || verifier.guide_raw(&preview_raw));
    let total_peak = status_mib("VmHWM");
    let (phash_ms, _) = time(n, || proofshot_core::PhotoHash::of(&frame_12mp));
    let (faces_ms, _) = time(n, || verifier.faces(&frame_hd));
    let (people_ms, _) = time(n, || verifier.people(&frame_hd));
    let redact_n = n.min(10); // a full-size 12 MP encode is slow; fewer runs suffice
    let full = proofshot_core::RedactOptions::default();
    let (redact_full_ms, _) = time(redact_n, || verifier.redact_encoded(&jpeg_12mp, &full));
    let capped = proofshot_core::RedactOptions { max_long_side: 2048, ..Default::default() };
    let (redact_2048_ms, _) = time(redact_n, || verifier.redact_encoded(&jpeg_12mp, &capped));
    let verdict = verifier.verify_frame(&frame_hd)?;
    let append_hmac_ms = store_append_ms(&verifier, &verdict, n, false)?;
    let append_p256_ms = store_append_ms(&verifier, &verdict, n, true)?;
    let redact_peak = status_mib("VmHWM");
    // after every memory figure: each verifier built here holds its own sessions
    let mut create_runs = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        drop(args.engine.verifier_with(policy.clone(), None)?);
        create_runs.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let create_again_ms = median_ms(create_runs);

    let report = json!({
        "iterations": n,
        "create_verifier_first_ms": create_first_ms,
        "create_verifier_again_ms": create_again_ms,
        "decode_12mp_jpeg_ms": decode_ms,
        "convert_1080p_rgba_ms": convert_ms,
        "quality_model_ms": quality_ms,
        "vision_models_ms": vision_ms,
        "vision_preprocess_ms": vision_pre_ms,
        "backbone_model_ms": backbone_ms,
        "heads_model_ms": heads_ms,
        "objects_model_ms": objects_ms,
        "scene_model_ms": scene_ms,
        "model_bytes": verifier.models().total_bytes(),
        "model_bytes_verifier": verifier.models().verifier_bytes(),
        "verify_1080p_frame_ms": verify_hd_ms,
        "verify_12mp_frame_ms": verify_12mp_ms,
        "verify_12mp_jpeg_end_to_end_ms": end_to_end_ms,
        "guide_640x480_nv21_ms": guide_ms,
        "perceptual_hash_12mp_ms": phash_ms,
        "faces_model_ms": faces_ms,
        "people_ms": people_ms,
        "redact_12mp_jpeg_full_size_ms": redact_full_ms,
        "redact_12mp_jpeg_to_2048_ms": redact_2048_ms,
        "store_append_sign_hmac_ms": append_hmac_ms,
        "store_append_sign_p256_ms": append_p256_ms,
        "rss_before_decode_mib": base_rss,
        "peak_rss_decode_mib": if resettable { decode_peak } else { None },
        "peak_rss_total_mib": total_peak,
        "peak_rss_with_full_size_redaction_mib": redact_peak,
        "jpeg_12mp_bytes": jpeg_12mp.len(),
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
        return Ok(exit::OK);
    }
    let mib = |v: Option<f64>| v.map_or("n/a".to_owned(), |m| format!("{m:.1} MiB"));
    println!("median of {n} runs, one thread; targets from the issues beside their figures");
    println!("  create a Verifier, the first (ONNX Runtime loaded too)        {create_first_ms:8.2} ms   target <= 150 ms (issue 23)");
    println!("  create a Verifier again (sessions only, median of 3)          {create_again_ms:8.2} ms");
    println!("  decode 12 MP JPEG (4000x3000, EXIF-rotated) to working frame  {decode_ms:8.2} ms   target <= 20 ms (issue 23)");
    println!("  convert 1920x1080 RGBA camera frame (rotated 90°)            {convert_ms:8.2} ms");
    println!("  quality model (preprocess + inference)                         {quality_ms:8.2} ms");
    println!("  vision models (backbone, heads, objects, scene, preprocessing) {vision_ms:8.2} ms");
    println!("    preprocess (1080p working frame to 300x300)                  {vision_pre_ms:8.2} ms");
    println!("    backbone (MobileNetV2 features)                              {backbone_ms:8.2} ms");
    println!("    heads (criteria, package/door detector, box decoding)        {heads_ms:8.2} ms");
    println!("    people and vehicles (Open Images predictors, decoding)       {objects_ms:8.2} ms");
    println!("    scene (192 px input, EfficientNet-Lite0, criteria fusion)    {scene_ms:8.2} ms");
    println!("  verify 1080p frame (decode excluded)                           {verify_hd_ms:8.2} ms   target <= 40 ms (issue 19)");
    println!("  verify 12 MP frame (decode excluded)                           {verify_12mp_ms:8.2} ms");
    println!("  verify 12 MP JPEG end to end (decode + verify)                 {end_to_end_ms:8.2} ms");
    println!("  guide 640x480 NV21 preview frame (conversion included)         {guide_ms:8.2} ms   target <= 15 ms (issue 19), <= 8 ms (issue 23)");
    println!("  perceptual hashes of the decoded 12 MP photo (whole + 9 crops)  {phash_ms:8.2} ms");
    println!("  face detector, whole frame + 6 tiles (1080p working frame)     {faces_ms:8.2} ms");
    println!("  people (backbone + SSD predictors, 1080p working frame)        {people_ms:8.2} ms");
    println!("  redact a 12 MP JPEG, full-size copy (decode, faces, encode)    {redact_full_ms:8.2} ms");
    println!("  redact a 12 MP JPEG, copy capped at 2048 px                    {redact_2048_ms:8.2} ms");
    println!("  evidence store: append + sign one record (HMAC-SHA-256)        {append_hmac_ms:8.2} ms");
    println!("  evidence store: append + sign one record (ECDSA P-256)         {append_p256_ms:8.2} ms");
    let models = verifier.models();
    println!("models: {:.2} MB in all   target <= 25 MB (issue 19)", models.total_bytes() as f64 / 1e6);
    println!(
        "  loaded by a Verifier (all but redaction's faces.onnx)          {:.2} MB   target <= 10 MB (issue 23)",
        models.verifier_bytes() as f64 / 1e6
    );
    println!("memory");
    println!("  resident before decoding                                       {}", mib(base_rss));
    if resettable {
        println!("  peak while decoding 12 MP JPEG                                 {}", mib(decode_peak));
    }
    println!(
        "  peak verifying and guiding (runtime and models loaded)         {}   target <= 100 MiB (issue 23)",
        mib(total_peak)
    );
    println!("  peak once a 12 MP photo was redacted at full size              {}", mib(redact_peak));
    Ok(exit::OK)
}
