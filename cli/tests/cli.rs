//! The `proofshot` command as scripts use it: output contract, exit codes, eval figures.
//! Needs ONNX Runtime (`scripts/setup-ort.sh`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

fn proofshot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_proofshot")).args(args).output().expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The generated samples, rendered once per test run. Tests that add files use their own folder.
fn samples() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("samples");
        let o = proofshot(&["samples", dir.to_str().expect("utf-8 path")]);
        assert!(o.status.success(), "{}", stderr(&o));
        dir
    })
}

fn jsonl(o: &Output) -> Vec<Value> {
    stdout(o).lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect()
}

#[test]
fn verify_jsonl_contract_and_verdicts() {
    let o = proofshot(&["verify", "--format", "jsonl", samples().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = jsonl(&o);
    assert_eq!(rows.len(), 7);
    for r in &rows {
        for key in ["path", "category", "compliant", "criteria", "boxes", "message", "elapsed_ms"] {
            assert!(r.get(key).is_some(), "missing {key} in {r}");
        }
        for id in ["package_visible", "package_placed", "location_identifiable", "image_clear"] {
            let c = &r["criteria"][id];
            assert!(c["passed"].is_boolean() && c["reason"].is_string(), "{c}");
            assert!(c["score"].as_f64().is_some_and(|s| (0.0..=1.0).contains(&s)), "{c}");
        }
        for b in r["boxes"].as_array().expect("boxes is a list") {
            assert!(["package", "door"].contains(&b["label"].as_str().expect("label")), "{b}");
            for key in ["score", "x", "y", "w", "h"] {
                assert!(b[key].as_f64().is_some_and(|v| v >= 0.0), "{key} in {b}");
            }
        }
    }
    let by_name = |name: &str| {
        rows.iter()
            .find(|r| r["path"].as_str().is_some_and(|p| std::path::Path::new(p).file_name() == Some(name.as_ref())))
            .expect("row")
    };
    for (name, reason) in [
        ("black.jpg", "too_dark"),
        ("blurred.jpg", "blurry"),
        ("overexposed.jpg", "overexposed"),
        ("screenshot.png", "not_a_photo"),
    ] {
        let r = by_name(name);
        assert_eq!(r["category"], "poor_photo", "{r}");
        assert_eq!(r["criteria"]["image_clear"]["reason"], reason, "{r}");
    }
    let r = by_name("porch.jpg");
    assert_eq!((&r["category"], &r["compliant"]), (&Value::from("valid_pod"), &Value::from(true)), "{r}");
    let labels: Vec<&str> = r["boxes"].as_array().expect("boxes").iter().filter_map(|b| b["label"].as_str()).collect();
    assert!(labels.contains(&"package") && labels.contains(&"door"), "{r}");
    let r = by_name("empty-porch.jpg");
    assert_eq!(r["category"], "invalid_pod", "{r}");
    assert_eq!(r["criteria"]["package_visible"]["reason"], "no_package", "{r}");
    assert_eq!(by_name("porch-dim.jpg")["criteria"]["image_clear"]["passed"], true);
}

#[test]
fn unreadable_photos_get_an_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.jpg");
    std::fs::write(&broken, b"\xFF\xD8\xFF not really").expect("write");
    let porch = samples().join("porch.jpg");
    let o = proofshot(&[
        "verify",
        "--format",
        "jsonl",
        broken.to_str().expect("utf-8"),
        "/nonexistent.png",
        porch.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let rows = jsonl(&o);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["error_kind"], "invalid_image");
    assert!(rows[0]["error"].as_str().expect("message").contains("JPEG"));
    assert_eq!(rows[1]["error_kind"], "io");
    assert!(rows[2]["category"].is_string());
    assert!(stderr(&o).contains("2 of 3 photos could not be verified"));
}

#[test]
fn text_output_names_failing_criteria() {
    let o = proofshot(&["verify", samples().join("black.jpg").to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("poor_photo") && out.contains("image_clear=too_dark"), "{out}");
}

#[test]
fn an_invalid_policy_is_a_usage_error_naming_the_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = dir.path().join("policy.json");
    let mut v: Value = serde_json::from_str(proofshot_core::DEFAULT_POLICY_JSON).expect("json");
    v["config"]["criteria"][2]["severity"] = "hi".into();
    std::fs::write(&policy, v.to_string()).expect("write");
    let o = proofshot(&["verify", "--policy", policy.to_str().expect("utf-8"), "x.jpg"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("config.criteria[2].severity"), "{}", stderr(&o));
}

#[test]
fn a_missing_runtime_is_exit_3_with_the_fix() {
    let o = proofshot(&["verify", "--ort-lib", "/nonexistent/libonnxruntime.so", samples().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("setup-ort.sh"), "{}", stderr(&o));
}

#[test]
fn help_explains_policy_output_and_exit_codes() {
    let out = stdout(&proofshot(&["--help"]));
    for needle in
        ["POLICY", "valid_pod", "poor_photo", "held_in_hand", "boxes", "EXIT CODES", "elapsed_ms", "ORT_DYLIB_PATH"]
    {
        assert!(out.contains(needle), "--help lacks {needle}");
    }
}

fn write_labels(dir: &Path) {
    let csv = "id,file,category,package_visible,package_placed,location_identifiable,image_clear,note\n\
               p1,porch.jpg,valid_pod,1,1,1,1,\"rendered, not real\"\n\
               e1,empty-porch.jpg,invalid_pod,0,0,1,1,\n\
               b1,black.jpg,valid_pod,1,1,1,1,deliberately mislabelled: the report must show it first\n\
               b2,blurred.jpg,poor_photo,0,0,0,0,\n\
               s1,screenshot.png,poor_photo,0,0,0,0,\n";
    std::fs::write(dir.join("labels.csv"), csv).expect("write");
}

#[test]
fn eval_prints_figures_writes_json_and_html() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_labels(dir.path());
    let (json, html) = (dir.path().join("figures.json"), dir.path().join("report.html"));
    let o = proofshot(&[
        "eval",
        "--labels",
        dir.path().join("labels.csv").to_str().expect("utf-8"),
        "--json",
        json.to_str().expect("utf-8"),
        "--html",
        html.to_str().expect("utf-8"),
        samples().to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("confusion matrix") && out.contains("category accuracy"), "{out}");
    let f: Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("json written")).expect("json");
    assert_eq!(f["photos"], 5);
    assert_eq!(f["confusion"]["valid_pod"]["valid_pod"], 1);
    assert_eq!(f["confusion"]["invalid_pod"]["invalid_pod"], 1);
    assert_eq!(f["confusion"]["poor_photo"]["poor_photo"], 2);
    assert_eq!(f["confusion"]["valid_pod"]["poor_photo"], 1, "the mislabelled black photo");
    assert_eq!(f["accuracy"], 0.8);
    assert_eq!((&f["false_accepts"], &f["false_rejects"]), (&Value::from(0), &Value::from(1)));
    assert_eq!(f["criteria"]["image_clear"]["fail_recall"], 1.0);
    assert_eq!(f["criteria"]["package_visible"]["evaluated"], 5);
    let page = std::fs::read_to_string(&html).expect("html written");
    assert!(page.contains("data:image/jpeg;base64,") && page.contains("p1") && page.contains("wrong"));
    assert!(page.contains("class=\"box package\"") && page.contains("class=\"box door\""), "boxes drawn");
    // mistakes first: the mislabelled photo precedes the correct ones
    assert!(page.find(">b1<").expect("b1") < page.find(">p1<").expect("p1"));
}

#[test]
fn eval_guidance_prints_hints_by_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = "id,file,category,package_visible,package_placed,location_identifiable,image_clear,subgroup\n\
               b1,black.jpg,poor_photo,0,0,0,0,degraded\n\
               b2,blurred.jpg,poor_photo,0,0,0,0,degraded\n\
               e1,empty-porch.jpg,invalid_pod,0,0,1,1,no_package\n";
    std::fs::write(dir.path().join("labels.csv"), csv).expect("write");
    let labels = dir.path().join("labels.csv");
    let o = proofshot(&[
        "eval",
        "--guidance",
        "--labels",
        labels.to_str().expect("utf-8"),
        samples().to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let table = &out[out.find("live guidance on each photo at 640 px").expect("guidance section")..];
    let row = |kind: &str| -> Vec<String> {
        let line = table.lines().find(|l| l.starts_with(kind)).unwrap_or_else(|| panic!("no {kind} row: {table}"));
        line.split_whitespace().skip(1).map(str::to_owned).collect()
    };
    let hints: Vec<&str> = table.lines().nth(1).expect("header").split_whitespace().skip(1).collect();
    let count = |kind: &str, hint: &str| row(kind)[hints.iter().position(|h| *h == hint).expect(hint)].clone();
    assert_eq!(count("degraded", "too_dark"), "1", "{table}");
    assert_eq!(count("degraded", "hold_still"), "1", "{table}");
    assert_eq!(count("(all)", "no_package"), "1", "{table}");
    assert!(table.contains("ready on 0 of the 0 photos the verdict accepts, and on 0 of the 3"), "{table}");
    // without the flag, no guidance is run
    let o = proofshot(&["eval", "--labels", labels.to_str().expect("utf-8"), samples().to_str().expect("utf-8")]);
    assert!(!stdout(&o).contains("live guidance"));
}

#[test]
fn eval_baseline_guards_against_regressions() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_labels(dir.path());
    let labels = dir.path().join("labels.csv");
    let baseline = dir.path().join("baseline.json");
    let run = |base: &str| {
        std::fs::write(&baseline, base).expect("write");
        proofshot(&[
            "eval",
            "--labels",
            labels.to_str().expect("utf-8"),
            "--baseline",
            baseline.to_str().expect("utf-8"),
            samples().to_str().expect("utf-8"),
        ])
    };
    assert_eq!(run(r#"{"accuracy": 0.62, "criteria.image_clear.fail_recall": 1.0}"#).status.code(), Some(0));
    let o = run(r#"{"accuracy": 0.95}"#);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("accuracy"), "{}", stderr(&o));
    assert_eq!(run(r#"{"false_accept_rate": 0.0}"#).status.code(), Some(0));
    assert_eq!(run(r#"{"no_such_figure": 1}"#).status.code(), Some(2));
}

/// An export of three records signed with HMAC key `73656372657421` ("secret!").
fn evidence_export(dir: &Path) -> PathBuf {
    use proofshot_evidence::{EvidenceStore, HmacSha256Signer, PhotoIdentity, StoreConfig};
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("dir");
    let signer = std::sync::Arc::new(HmacSha256Signer::new("k1", b"secret!".to_vec()));
    let store = EvidenceStore::open(dir.join("e.db"), signer, StoreConfig::default()).expect("store");
    let policy = proofshot_core::Policy::default_policy();
    let verdict = proofshot_core::judge(&policy, &proofshot_core::EvidenceSet::default());
    for i in 0..3u64 {
        let h = |k: u64| (i * 16 + k).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let photo = PhotoIdentity {
            sha256: format!("{i:064x}"),
            phash: proofshot_core::PhotoHash { full: h(0), crops: std::array::from_fn(|k| h(k as u64 + 1)) },
            redacted_sha256: None,
        };
        store
            .record_attempt(&policy, ("v", &[]), &format!("stop-{i}"), verdict.clone(), &photo, Default::default())
            .expect("recorded");
    }
    let path = dir.join("export.jsonl");
    std::fs::write(&path, store.export_jsonl().expect("export")).expect("write");
    path
}

#[test]
fn audit_checks_the_chain_and_names_the_first_broken_link() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit");
    let export = evidence_export(&dir);
    let path = export.to_str().expect("utf-8");
    let o = proofshot(&["audit", path, "--hmac-key", "73656372657421"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("chain holds: 3 records (seq 1 to 3)"), "{}", stdout(&o));
    assert!(stdout(&o).contains("signatures checked (hmac-sha256)"), "{}", stdout(&o));

    let o = proofshot(&["audit", path]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("signatures NOT checked"), "{}", stdout(&o));

    let o = proofshot(&["audit", path, "--hmac-key", "00"]);
    assert_eq!(o.status.code(), Some(5));
    assert!(stderr(&o).contains("chain broken at line 1 (seq 1, record "), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad signature"), "{}", stderr(&o));

    let text = std::fs::read_to_string(&export).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let dropped = dir.join("dropped.jsonl");
    std::fs::write(&dropped, format!("{}\n{}\n{}\n", lines[0], lines[2], lines[3])).expect("write");
    let o = proofshot(&["audit", dropped.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(5));
    assert!(stderr(&o).contains("line 2 (seq 3, record"), "{}", stderr(&o));
    assert!(stderr(&o).contains("expected seq 2, found seq 3: a record before it was deleted"), "{}", stderr(&o));

    let o = proofshot(&["audit", path, "--hmac-key", "xyz"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--hmac-key: expected hex digits"), "{}", stderr(&o));
}

#[test]
fn redact_writes_copies_without_faces_or_metadata() {
    use proofshot_fixtures::{encode_jpeg, person_at_door, FacePlacement};
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("redact");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let face = FacePlacement { cx: 260.0, cy: 300.0, width: 100.0 };
    let photo = dir.join("visitor.jpg");
    std::fs::write(&photo, encode_jpeg(&person_at_door(1200, 900, 3, &[face]), 90, Some(1))).expect("write");
    let out = dir.join("out");
    let o = proofshot(&[
        "redact",
        "--out",
        out.to_str().expect("utf-8"),
        "--max-side",
        "800",
        photo.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("visitor.jpg: 1 face(s) -> "), "{}", stdout(&o));
    assert!(stdout(&o).contains("(800x600, "), "{}", stdout(&o));
    let copy = std::fs::read(out.join("visitor.redacted.jpg")).expect("the copy");
    assert!(copy.starts_with(&[0xFF, 0xD8]));
    assert!(!copy.windows(2).any(|m| m == [0xFF, 0xE1]), "no EXIF segment");
    assert!(std::fs::read_dir(&out).expect("dir").all(|e| !e
        .expect("entry")
        .path()
        .to_string_lossy()
        .ends_with(".part")));

    let o =
        proofshot(&["redact", "--out", out.to_str().expect("utf-8"), dir.join("missing.jpg").to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("missing.jpg: error: cannot read file"), "{}", stdout(&o));
}

/// Runs `proofshot` with a deadline: a regression that loops forever fails instead of hanging.
#[cfg(unix)]
fn proofshot_within(args: &[&str], seconds: u64) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_proofshot"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while child.try_wait().expect("waits").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("proofshot {args:?} still running after {seconds} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

#[cfg(unix)]
#[test]
fn folders_with_loops_links_devices_and_pipes_list_each_real_photo_once() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().join("d");
    for sub in ["a", "b", "locked"] {
        std::fs::create_dir_all(d.join(sub)).expect("folder");
    }
    std::fs::copy(samples().join("porch.jpg"), d.join("porch.jpg")).expect("copy");
    std::fs::copy(samples().join("porch.jpg"), d.join("locked/porch.jpg")).expect("copy");
    // a name that is not UTF-8: "caf\xE9.jpg" in Latin-1
    let latin1 = d.join(std::ffi::OsStr::from_bytes(b"caf\xE9.jpg"));
    std::fs::copy(samples().join("black.jpg"), &latin1).expect("copy");
    symlink("..", d.join("a/up")).expect("link");
    symlink("..", d.join("b/up")).expect("link");
    symlink(".", d.join("b/here")).expect("link");
    symlink("porch.jpg", d.join("alias.jpg")).expect("link");
    symlink("/dev/zero", d.join("zero.jpg")).expect("link");
    let made = Command::new("mkfifo").arg(d.join("pipe.jpg")).status().expect("mkfifo runs");
    assert!(made.success());
    std::fs::set_permissions(d.join("locked"), std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // root reads any folder: the listing failure itself is a unit test in files.rs
    let locked = std::fs::read_dir(d.join("locked")).is_err();

    let o = proofshot_within(&["verify", "--format", "jsonl", d.to_str().expect("utf-8")], 120);
    std::fs::set_permissions(d.join("locked"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let rows = jsonl(&o);
    let name = |r: &Value| {
        Path::new(r["path"].as_str().expect("path")).strip_prefix(&d).expect("inside").display().to_string()
    };
    let names: Vec<String> = rows.iter().map(name).collect();
    let mut expected = vec!["alias.jpg", "caf\u{FFFD}.jpg", "locked", "pipe.jpg", "zero.jpg"];
    if !locked {
        expected[2] = "locked/porch.jpg";
    }
    assert_eq!(names, expected, "{}", stdout(&o));
    assert_eq!(rows[0]["category"], "valid_pod");
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(rows[1]["path_base64"].as_str().expect("path_base64"));
    assert_eq!(raw.expect("base64"), latin1.as_os_str().as_bytes());
    assert_eq!(rows[1]["category"], "poor_photo");
    assert!(rows[0].get("path_base64").is_none());
    if locked {
        assert!(rows[2]["error"].as_str().expect("error").starts_with("cannot read folder: "), "{}", rows[2]);
    }
    assert_eq!(rows[3]["error"], "not a regular file (a named pipe): only regular files are read");
    assert_eq!(rows[4]["error"], "not a regular file (a device): only regular files are read");
    assert!(stderr(&o).contains("was searched already (a link loop?)"), "{}", stderr(&o));
}

#[test]
fn redact_gives_inputs_that_share_a_name_distinct_copies() {
    let dir = tempfile::tempdir().expect("temp dir");
    for sub in ["a", "b"] {
        std::fs::create_dir(dir.path().join(sub)).expect("folder");
        std::fs::copy(samples().join("porch.jpg"), dir.path().join(sub).join("photo.jpg")).expect("copy");
    }
    std::fs::copy(samples().join("screenshot.png"), dir.path().join("photo.png")).expect("copy");
    let out = dir.path().join("out");
    let o = proofshot(&["redact", "--out", out.to_str().expect("utf-8"), dir.path().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut copies: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    copies.sort();
    assert_eq!(copies, ["photo-2.redacted.jpg", "photo-3.redacted.jpg", "photo.redacted.jpg"]);
    // each line names the copy it wrote
    for copy in &copies {
        assert_eq!(stdout(&o).matches(&format!("{}{copy}", std::path::MAIN_SEPARATOR)).count(), 1, "{}", stdout(&o));
    }
}

#[test]
fn jobs_keep_the_order_and_the_verdicts() {
    let dir = samples().to_str().expect("utf-8");
    let strip_time = |o: &Output| -> Vec<Value> {
        jsonl(o)
            .into_iter()
            .map(|mut v| {
                v.as_object_mut().expect("object").remove("elapsed_ms");
                v
            })
            .collect()
    };
    let one = proofshot(&["verify", "--format", "jsonl", "--jobs", "1", dir]);
    let three = proofshot(&["verify", "--format", "jsonl", "--jobs", "3", dir]);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    assert_eq!(three.status.code(), Some(0), "{}", stderr(&three));
    assert_eq!(strip_time(&one), strip_time(&three));
    let o = proofshot(&["verify", "--jobs", "0", dir]);
    assert_eq!(o.status.code(), Some(2), "--jobs 0 is a usage error");
}
