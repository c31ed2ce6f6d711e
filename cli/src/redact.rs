//! `proofshot redact`: faces pixelated on the device, for the copy that leaves the phone; and,
//! with `--points`, the face detector's recall on labelled photos.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use proofshot_core::{Detection, Frame, RedactOptions, Verifier};

use crate::files::{self, Found};
use crate::{exit, EngineArgs, Failure};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    engine: EngineArgs,
    /// Folder for the redacted copies (`NAME.redacted.jpg`); created if missing.
    #[arg(long, value_name = "DIR", required_unless_present = "points")]
    out: Option<PathBuf>,
    /// Also pixelate every person found, whole.
    #[arg(long)]
    people: bool,
    /// Longest side of the copies in pixels (default: the photo's own size).
    #[arg(long, value_name = "PIXELS")]
    max_side: Option<u32>,
    /// JPEG quality of the copies.
    #[arg(long, default_value_t = 85, value_parser = clap::value_parser!(u8).range(1..=100))]
    quality: u8,
    /// Evaluate instead: a CSV `id,x,y` of face centres (fractions of the upright photo) for
    /// photos of `--labels`; prints recall, faces found in the other photos, and faces the
    /// redacted copies still show.
    #[arg(long, value_name = "CSV", requires = "labels")]
    points: Option<PathBuf>,
    /// The photos' labels.csv (its `id` and `file` columns), with `--points`.
    #[arg(long, value_name = "CSV")]
    labels: Option<PathBuf>,
    /// Photos, or folders to search for them.
    #[arg(required_unless_present = "points")]
    paths: Vec<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Result<u8, Failure> {
    let options = RedactOptions {
        max_long_side: args.max_side.unwrap_or(u32::MAX),
        jpeg_quality: args.quality,
        people: args.people,
    };
    let verifier = args.engine.verifier_with(args.engine.policy()?, None)?;
    if let (Some(points), Some(labels)) = (&args.points, &args.labels) {
        return evaluate(&verifier, points, labels, &options);
    }
    let out = args.out.as_ref().expect("clap requires --out without --points");
    std::fs::create_dir_all(out).map_err(|e| Failure::usage(format!("cannot create {}: {e}", out.display())))?;
    let photos = files::collect(&args.paths);
    let names = files::distinct_names(photos.iter().map(Found::path), "redacted.jpg");
    let mut failed = 0;
    for (found, name) in photos.iter().zip(names) {
        let path = found.path();
        let target = out.join(name);
        let bytes = match found {
            Found::Problem(_, problem) => Err(problem.clone()),
            Found::Photo(_) => files::read_photo(path),
        };
        let result = bytes
            .and_then(|bytes| verifier.redact_encoded(&bytes, &options).map_err(|e| e.to_string()))
            .and_then(|r| {
                // write beside, then rename: a copy is whole or absent
                let part = target.with_extension("jpg.part");
                std::fs::write(&part, &r.jpeg)
                    .and_then(|()| std::fs::rename(&part, &target))
                    .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
                Ok(r)
            });
        match result {
            Ok(r) => println!(
                "{}: {} face(s){} -> {} ({}x{}, {:.0} ms)",
                path.display(),
                r.regions.iter().filter(|b| b.label == "face").count(),
                if args.people {
                    format!(", {} person(s)", r.regions.iter().filter(|b| b.label == "person").count())
                } else {
                    String::new()
                },
                target.display(),
                r.width,
                r.height,
                r.elapsed_ms
            ),
            Err(e) => {
                failed += 1;
                println!("{}: error: {e}", path.display());
            }
        }
    }
    Ok(if failed > 0 { exit::SOME_FAILED } else { exit::OK })
}

/// Whether a labelled face centre lies in a detection (grown by a quarter on every side, as
/// the labels are points placed by eye).
fn covers(f: &Detection, (x, y): (f32, f32)) -> bool {
    let (gx, gy) = (f.w * 0.25, f.h * 0.25);
    x >= f.x - gx && x <= f.x + f.w + gx && y >= f.y - gy && y <= f.y + f.h + gy
}

fn evaluate(verifier: &Verifier, points: &Path, labels: &Path, options: &RedactOptions) -> Result<u8, Failure> {
    let read =
        |p: &Path| std::fs::read_to_string(p).map_err(|e| Failure::usage(format!("cannot read {}: {e}", p.display())));
    let mut faces: HashMap<String, Vec<(f32, f32)>> = HashMap::new();
    for (n, line) in read(points)?.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let parse = |s: &str| s.trim().parse::<f32>().ok().filter(|v| (0.0..=1.0).contains(v));
        match (f.len(), f.first(), f.get(1).and_then(|s| parse(s)), f.get(2).and_then(|s| parse(s))) {
            (3, Some(id), Some(x), Some(y)) => faces.entry((*id).to_owned()).or_default().push((x, y)),
            _ => {
                return Err(Failure::usage(format!(
                    "{}:{}: expected id,x,y with x and y in [0, 1]",
                    points.display(),
                    n + 1
                )))
            }
        }
    }
    let root = labels.parent().unwrap_or(Path::new("."));
    let mut table = csv::Reader::from_path(labels).map_err(|e| Failure::usage(format!("{}: {e}", labels.display())))?;
    let headers = table.headers().map_err(|e| Failure::usage(e.to_string()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Failure::usage(format!("{}: no {name} column", labels.display())))
    };
    let (id_col, file_col) = (col("id")?, col("file")?);
    let (mut labelled, mut found, mut left, mut photos_without, mut false_faces) = (0, 0, 0, 0, 0);
    // with --people: photos in which a person was found, among those with and without faces
    let (mut people_with, mut people_without) = (0, 0);
    let (mut missed, mut still) = (Vec::new(), Vec::new());
    let mut times = Vec::new();
    for row in table.records() {
        let row = row.map_err(|e| Failure::usage(e.to_string()))?;
        let (id, file) = (&row[id_col], &row[file_col]);
        let bytes = std::fs::read(root.join(file)).map_err(|e| Failure::usage(format!("{file}: {e}")))?;
        let frame =
            Frame::from_encoded(&bytes, verifier.limits()).map_err(|e| Failure::usage(format!("{file}: {e}")))?;
        let detected = verifier.faces(&frame)?;
        let person = options.people && !verifier.people(&frame)?.is_empty();
        match faces.get(id) {
            None => {
                photos_without += 1;
                false_faces += detected.len();
                people_without += usize::from(person);
            }
            Some(points) => {
                people_with += usize::from(person);
                let redacted = verifier.redact_encoded(&bytes, options)?;
                times.push(redacted.elapsed_ms);
                let copy = Frame::from_encoded(&redacted.jpeg, verifier.limits())
                    .map_err(|e| Failure::usage(e.to_string()))?;
                // what the detector is sure of (MediaPipe's operating point): at the lower
                // redaction threshold it also fires on head-shaped blurs
                let after: Vec<Detection> = verifier.faces(&copy)?.into_iter().filter(|f| f.score >= 0.5).collect();
                for &p in points {
                    labelled += 1;
                    if detected.iter().any(|f| covers(f, p)) {
                        found += 1;
                    } else {
                        missed.push(format!("{id} ({:.2}, {:.2})", p.0, p.1));
                    }
                    if after.iter().any(|f| covers(f, p)) {
                        left += 1;
                        still.push(format!("{id} ({:.2}, {:.2})", p.0, p.1));
                    }
                }
            }
        }
    }
    if labelled == 0 {
        return Err(Failure::usage("no labelled face belongs to a photo of --labels"));
    }
    println!("faces labelled: {labelled} in {} photos", faces.len());
    println!("  found (recall):                 {found}/{labelled} = {:.3}", found as f64 / labelled as f64);
    println!("  still detected (score >= 0.5) in the redacted copy: {left}/{labelled}");
    println!("photos without a labelled face: {photos_without}, faces found in them: {false_faces}");
    if options.people {
        println!(
            "people (--people): a person found in {people_with} of the {} photos with faces, in {people_without} of the {photos_without} without",
            faces.len()
        );
    }
    if !times.is_empty() {
        times.sort_by(f64::total_cmp);
        println!("redaction time, median over the labelled photos: {:.1} ms", times[times.len() / 2]);
    }
    for m in &missed {
        println!("  missed: {m}");
    }
    for m in &still {
        println!("  still detected after redaction: {m}");
    }
    Ok(exit::OK)
}
