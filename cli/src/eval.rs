//! `proofshot eval`: accuracy on labelled photos.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use proofshot_core::{CategoryRole, CriterionKind, Frame, Policy, Verdict, Verifier};
use serde_json::{json, Value};

use crate::{exit, files, parallel, report, EngineArgs, Failure};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    engine: EngineArgs,
    /// Labels CSV: id, file, category, one 0/1 column per criterion (the format of
    /// ../shared/photos/labels.csv).
    #[arg(long)]
    labels: PathBuf,
    /// Cross-validate: DIR/folds.csv assigns each photo id a fold K, and DIR/fold-K/ holds the
    /// models trained without fold K, which score that fold's photos.
    #[arg(long, value_name = "DIR")]
    cv: Option<PathBuf>,
    /// Write an HTML report: a thumbnail of each photo with its verdict and truth, mistakes first.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Write the figures as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Fail (exit 4) when a figure named in this JSON file ({"accuracy": 0.9, ...}, keys as in
    /// --json) is worse than the file's value by more than --margin.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Allowed drop below the baseline, as a fraction (0.03 = 3 points).
    #[arg(long, default_value_t = 0.03)]
    margin: f64,
    /// Photos verified at once, each worker with its own verifiers (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// Also run live guidance on each photo, downscaled to 640 px on its long side as a
    /// preview frame would be, and print its hints by kind of photo beside the verdicts.
    #[arg(long)]
    guidance: bool,
    /// Folder the labels' `file` paths are relative to (default: the labels file's folder).
    root: Option<PathBuf>,
}

/// One labelled photo.
pub(crate) struct Label {
    pub(crate) id: String,
    pub(crate) file: String,
    pub(crate) category: String,
    /// Truth per criterion id: whether it passes.
    pub(crate) criteria: BTreeMap<&'static str, bool>,
    /// The kind of photo (the optional `subgroup` column: `held_in_hand`, `in_vehicle`, ...);
    /// empty where the labels do not say.
    pub(crate) subgroup: String,
}

/// What the run made of one photo.
pub(crate) struct Outcome {
    pub(crate) label: Label,
    pub(crate) result: Result<Verdict, String>,
    pub(crate) thumbnail: Option<Frame>,
    /// The live-guidance hint's id, with `--guidance` (an error's text otherwise).
    pub(crate) hint: Option<Result<&'static str, String>>,
}

impl Outcome {
    pub(crate) fn predicted(&self) -> Option<&str> {
        self.result.as_ref().ok().map(|v| v.category.as_str())
    }

    pub(crate) fn is_mistake(&self) -> bool {
        self.predicted() != Some(self.label.category.as_str())
    }
}

fn read_labels(path: &Path) -> Result<Vec<Label>, Failure> {
    let bad = |m: String| Failure::usage(format!("labels {}: {m}", path.display()));
    let mut rdr = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let headers = rdr.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (id, file, category) = match (col("id"), col("file"), col("category")) {
        (Some(a), Some(b), Some(c)) => (a, b, c),
        _ => return Err(bad("needs columns id, file and category".into())),
    };
    let subgroup = col("subgroup");
    let crit_cols: Vec<(&'static str, usize)> =
        CriterionKind::ALL.iter().filter_map(|k| col(k.id()).map(|i| (k.id(), i))).collect();
    let mut labels = Vec::new();
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let get = |i: usize| rec.get(i).unwrap_or("").trim().to_owned();
        let mut criteria = BTreeMap::new();
        for &(cid, i) in &crit_cols {
            match get(i).as_str() {
                "1" => criteria.insert(cid, true),
                "0" => criteria.insert(cid, false),
                "" => None,
                other => return Err(bad(format!("row {}: {cid} must be 0 or 1, got {other:?}", n + 2))),
            };
        }
        let subgroup = subgroup.map(get).unwrap_or_default();
        labels.push(Label { id: get(id), file: get(file), category: get(category), criteria, subgroup });
    }
    if labels.is_empty() {
        return Err(bad("no rows".into()));
    }
    Ok(labels)
}

fn read_folds(dir: &Path) -> Result<HashMap<String, String>, Failure> {
    let path = dir.join("folds.csv");
    let bad = |m: String| Failure::usage(format!("folds {}: {m}", path.display()));
    let mut rdr = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let mut folds = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        if let (Some(id), Some(fold)) = (rec.get(0), rec.get(1)) {
            folds.insert(id.to_owned(), fold.to_owned());
        }
    }
    Ok(folds)
}

pub(crate) fn run(args: &Args) -> Result<u8, Failure> {
    let policy = args.engine.policy()?;
    let labels = read_labels(&args.labels)?;
    let root = args.root.clone().unwrap_or_else(|| args.labels.parent().map(Path::to_path_buf).unwrap_or_default());

    // one verifier, or one per fold; a set of them for each job
    let folds = args.cv.as_deref().map(read_folds).transpose()?;
    let fold_dirs: Vec<(String, Option<PathBuf>)> = match (&folds, &args.cv) {
        (Some(folds), Some(dir)) => {
            let mut names: Vec<&String> = folds.values().collect();
            names.sort();
            names.dedup();
            let mut dirs = Vec::new();
            for fold in names {
                let fold_dir = dir.join(format!("fold-{fold}"));
                if !fold_dir.is_dir() {
                    return Err(Failure::usage(format!(
                        "no models for fold {fold}: {} is missing",
                        fold_dir.display()
                    )));
                }
                dirs.push((fold.clone(), Some(fold_dir)));
            }
            dirs
        }
        _ => vec![(String::new(), None)],
    };
    let jobs = args.jobs.map_or_else(parallel::default_jobs, usize::from).clamp(1, labels.len().max(1));
    let mut sets = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        let mut verifiers: BTreeMap<String, Verifier> = BTreeMap::new();
        for (fold, dir) in &fold_dirs {
            verifiers.insert(fold.clone(), args.engine.verifier_with(policy.clone(), dir.as_deref())?);
        }
        sets.push(verifiers);
    }

    let progress = std::io::stderr().is_terminal();
    let total = labels.len();
    let mut results = Vec::with_capacity(total);
    parallel::in_order(
        &labels,
        sets,
        |verifiers, _, label| {
            let key = match &folds {
                Some(f) => match f.get(&label.id) {
                    Some(k) => k.clone(),
                    None => return (Err("photo has no fold in folds.csv".to_owned()), None, None),
                },
                None => String::new(),
            };
            let verifier = &verifiers[&key];
            let path = root.join(&label.file);
            match files::read_photo(&path) {
                Err(e) => (Err(format!("{}: {e}", path.display())), None, None),
                Ok(bytes) => match Frame::from_encoded(&bytes, verifier.limits()) {
                    Err(e) => (Err(format!("invalid image: {e}")), None, None),
                    Ok(frame) => {
                        let thumbnail = args.html.is_some().then(|| frame.downscaled(220));
                        let hint = args.guidance.then(|| {
                            verifier
                                .guide(&frame.downscaled(PREVIEW_SIDE))
                                .map(|g| g.hint.as_str())
                                .map_err(|e| e.to_string())
                        });
                        (verifier.verify_frame(&frame).map_err(|e| e.to_string()), thumbnail, hint)
                    }
                },
            }
        },
        |i, result| {
            if progress {
                let done = ((i + 1) * 30) / total;
                eprint!("\r[{}{}] {}/{total} {:<24}", "#".repeat(done), ".".repeat(30 - done), i + 1, labels[i].id);
                let _ = std::io::stderr().flush();
            }
            results.push(result);
            true
        },
    );
    let outcomes: Vec<Outcome> = labels
        .into_iter()
        .zip(results)
        .map(|(label, (result, thumbnail, hint))| Outcome { label, result, thumbnail, hint })
        .collect();
    if progress {
        eprint!("\r{:70}\r", "");
    }

    let figures = figures(&policy, &outcomes);
    let models = match &args.cv {
        Some(dir) => format!("cross-validated: {} folds from {}", fold_dirs.len(), dir.display()),
        None => {
            args.engine.models.as_ref().map_or("embedded models".to_owned(), |d| format!("models from {}", d.display()))
        }
    };
    print_text(&policy, &outcomes, &figures, &models);
    if args.guidance {
        print_guidance(&outcomes);
    }

    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&figures).unwrap_or_default() + "\n")
            .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
    }
    if let Some(path) = &args.html {
        let html = report::render(&policy, &outcomes, &figures, &models);
        std::fs::write(path, html).map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
        eprintln!("report: {}", path.display());
    }
    if let Some(path) = &args.baseline {
        let failures = check_baseline(path, &figures, args.margin)?;
        if !failures.is_empty() {
            for f in &failures {
                eprintln!("proofshot: below baseline: {f}");
            }
            return Ok(exit::REGRESSION);
        }
        eprintln!("baseline {}: every figure within {:.0} points", path.display(), args.margin * 100.0);
    }
    Ok(if outcomes.iter().any(|o| o.result.is_err()) { exit::SOME_FAILED } else { exit::OK })
}

fn ratio(n: usize, d: usize) -> Value {
    if d == 0 {
        Value::Null
    } else {
        json!(((n as f64 / d as f64) * 10_000.0).round() / 10_000.0)
    }
}

/// The 95 % Wilson score interval of a proportion `n / d`, `[low, high]` (null without
/// photos). A few dozen photos leave wide intervals: the text output prints them beside the
/// figures so that a difference of one or two photos is read as what it is.
fn interval(n: usize, d: usize) -> Value {
    if d == 0 {
        return Value::Null;
    }
    let (n, d) = (n as f64, d as f64);
    let z = 1.96_f64;
    let p = n / d;
    let denom = 1.0 + z * z / d;
    let centre = (p + z * z / (2.0 * d)) / denom;
    let half = z * (p * (1.0 - p) / d + z * z / (4.0 * d * d)).sqrt() / denom;
    let round = |x: f64| (x.clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0;
    json!([round(centre - half), round(centre + half)])
}

/// Every figure the run measures, as JSON (the --json file and the baseline's keys).
fn figures(policy: &Policy, outcomes: &[Outcome]) -> Value {
    let cats: Vec<&str> = policy.categories.iter().map(|c| c.id.as_str()).collect();
    let scored: Vec<&Outcome> = outcomes.iter().filter(|o| o.result.is_ok()).collect();
    let correct = scored.iter().filter(|o| !o.is_mistake()).count();

    let mut confusion = serde_json::Map::new();
    for t in &cats {
        let mut row = serde_json::Map::new();
        for p in &cats {
            let n = scored.iter().filter(|o| o.label.category == *t && o.predicted() == Some(p)).count();
            row.insert((*p).to_owned(), json!(n));
        }
        confusion.insert((*t).to_owned(), Value::Object(row));
    }

    let valid = policy.category(CategoryRole::Compliant).id.as_str();
    let not_valid: Vec<&&Outcome> = scored.iter().filter(|o| o.label.category != valid).collect();
    let false_accepts = not_valid.iter().filter(|o| o.predicted() == Some(valid)).count();
    let valid_truth: Vec<&&Outcome> = scored.iter().filter(|o| o.label.category == valid).collect();
    let false_rejects = valid_truth.iter().filter(|o| o.predicted() != Some(valid)).count();

    let mut categories = serde_json::Map::new();
    for c in &cats {
        let tp = scored.iter().filter(|o| o.label.category == *c && o.predicted() == Some(c)).count();
        let predicted = scored.iter().filter(|o| o.predicted() == Some(c)).count();
        let support = scored.iter().filter(|o| o.label.category == *c).count();
        categories.insert(
            (*c).to_owned(),
            json!({"precision": ratio(tp, predicted), "recall": ratio(tp, support), "support": support}),
        );
    }

    let mut criteria = serde_json::Map::new();
    for crit in &policy.criteria {
        let id = crit.kind.id();
        // (truth passes, predicted passes) for photos labelled on this criterion and evaluated
        let mut pairs = Vec::new();
        let mut not_evaluated = 0;
        for o in &scored {
            let (Some(&truth), Ok(v)) = (o.label.criteria.get(id), &o.result) else { continue };
            match v.criterion(crit.kind) {
                Some(r) if r.score.is_some() => pairs.push((truth, r.passed)),
                _ => not_evaluated += 1,
            }
        }
        let count = |t: bool, p: bool| pairs.iter().filter(|&&x| x == (t, p)).count();
        let (fail_tp, fail_fn) = (count(false, false), count(false, true));
        let (pass_tp, pass_fn) = (count(true, true), count(true, false));
        criteria.insert(
            id.to_owned(),
            json!({
                "evaluated": pairs.len(),
                "not_evaluated": not_evaluated,
                "accuracy": ratio(fail_tp + pass_tp, pairs.len()),
                "fail_recall": ratio(fail_tp, fail_tp + fail_fn),
                "fail_precision": ratio(fail_tp, fail_tp + pass_fn),
                "pass_recall": ratio(pass_tp, pass_tp + pass_fn),
                "failing": fail_tp + fail_fn,
                "passing": pass_tp + pass_fn,
            }),
        );
    }

    // per kind of photo: how many were judged right, and how many were kept from being
    // accepted (the figure that matters for a kind that must be rejected, such as held parcels)
    let mut subgroups = serde_json::Map::new();
    for kind in kinds_of(scored.iter().copied()) {
        let of_kind: Vec<&&Outcome> = scored.iter().filter(|o| o.label.subgroup == kind).collect();
        let right = of_kind.iter().filter(|o| !o.is_mistake()).count();
        let accepted = of_kind.iter().filter(|o| o.predicted() == Some(valid)).count();
        subgroups.insert(
            kind.to_owned(),
            json!({
                "photos": of_kind.len(),
                "correct": right,
                "accuracy": ratio(right, of_kind.len()),
                "judged_valid": accepted,
                "valid_truth": of_kind.iter().filter(|o| o.label.category == valid).count(),
            }),
        );
    }

    json!({
        "photos": outcomes.len(),
        "errors": outcomes.len() - scored.len(),
        "accuracy": ratio(correct, scored.len()),
        "accuracy_interval": interval(correct, scored.len()),
        "false_accept_rate": ratio(false_accepts, not_valid.len()),
        "false_accept_interval": interval(false_accepts, not_valid.len()),
        "false_accepts": false_accepts,
        "false_reject_rate": ratio(false_rejects, valid_truth.len()),
        "false_reject_interval": interval(false_rejects, valid_truth.len()),
        "false_rejects": false_rejects,
        "confusion": confusion,
        "categories": categories,
        "criteria": criteria,
        "subgroups": subgroups,
    })
}

/// `  (95 % interval 0.042–0.136)`, or nothing without one.
fn fmt_interval(v: &Value) -> String {
    match (v[0].as_f64(), v[1].as_f64()) {
        (Some(lo), Some(hi)) => format!("  (95 % interval {lo:.3}–{hi:.3})"),
        _ => String::new(),
    }
}

fn fmt_ratio(v: &Value) -> String {
    v.as_f64().map_or("   -  ".to_owned(), |x| format!("{x:.3}"))
}

fn print_text(policy: &Policy, outcomes: &[Outcome], f: &Value, models: &str) {
    let cats: Vec<&str> = policy.categories.iter().map(|c| c.id.as_str()).collect();
    println!("photos: {}  errors: {}  ({models})", f["photos"], f["errors"]);
    println!();
    println!("confusion matrix (rows: truth, columns: verdict)");
    print!("{:>14}", "");
    for c in &cats {
        print!("{c:>13}");
    }
    println!();
    for t in &cats {
        print!("{t:>14}");
        for p in &cats {
            print!("{:>13}", f["confusion"][t][p].to_string());
        }
        println!();
    }
    println!();
    println!("category accuracy: {}{}", fmt_ratio(&f["accuracy"]), fmt_interval(&f["accuracy_interval"]));
    println!(
        "false accepts (invalid or poor judged valid): {} = {}{}",
        f["false_accepts"],
        fmt_ratio(&f["false_accept_rate"]),
        fmt_interval(&f["false_accept_interval"])
    );
    println!(
        "false rejects (valid judged otherwise):       {} = {}{}",
        f["false_rejects"],
        fmt_ratio(&f["false_reject_rate"]),
        fmt_interval(&f["false_reject_interval"])
    );
    println!();
    println!("{:<14}{:>10}{:>8}{:>9}", "category", "precision", "recall", "support");
    for c in &cats {
        let m = &f["categories"][c];
        println!(
            "{c:<14}{:>10}{:>8}{:>9}",
            fmt_ratio(&m["precision"]),
            fmt_ratio(&m["recall"]),
            m["support"].to_string()
        );
    }
    println!();
    println!("criteria (fail recall: failing photos caught; pass recall: passing photos let through)");
    println!(
        "{:<22}{:>10}{:>13}{:>16}{:>13}{:>10}",
        "criterion", "evaluated", "fail recall", "fail precision", "pass recall", "accuracy"
    );
    for crit in &policy.criteria {
        let m = &f["criteria"][crit.kind.id()];
        if m["evaluated"] == 0 {
            println!("{:<22}{:>10}   not evaluated ({} photos)", crit.kind.id(), 0, m["not_evaluated"]);
            continue;
        }
        println!(
            "{:<22}{:>10}{:>13}{:>16}{:>13}{:>10}",
            crit.kind.id(),
            m["evaluated"].to_string(),
            format!("{} ({})", fmt_ratio(&m["fail_recall"]), m["failing"]),
            fmt_ratio(&m["fail_precision"]),
            format!("{} ({})", fmt_ratio(&m["pass_recall"]), m["passing"]),
            fmt_ratio(&m["accuracy"]),
        );
    }
    if let Some(kinds) = f["subgroups"].as_object().filter(|k| !k.is_empty()) {
        println!();
        println!("by kind of photo (the labels' subgroup column)");
        println!("{:<22}{:>8}{:>9}{:>10}{:>14}", "subgroup", "photos", "correct", "accuracy", "judged valid");
        for (kind, m) in kinds {
            println!(
                "{kind:<22}{:>8}{:>9}{:>10}{:>14}",
                m["photos"].to_string(),
                m["correct"].to_string(),
                fmt_ratio(&m["accuracy"]),
                m["judged_valid"].to_string(),
            );
        }
    }
    let mistakes: Vec<&Outcome> = outcomes.iter().filter(|o| o.is_mistake()).collect();
    println!();
    println!("wrong: {} photos", mistakes.len());
    for o in mistakes {
        match &o.result {
            Ok(v) => {
                let failing: Vec<String> =
                    v.criteria.iter().filter(|c| !c.passed).map(|c| format!("{}={}", c.id(), c.reason)).collect();
                println!("  {:<12} {:>11} -> {:<11}  {}", o.label.id, o.label.category, v.category, failing.join(" "));
            }
            Err(e) => println!("  {:<12} {:>11} -> error: {e}", o.label.id, o.label.category),
        }
    }
}

/// The kinds of photo (the labels' subgroup column) among `outcomes`, sorted, each once.
fn kinds_of<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> Vec<&'a str> {
    let kinds: BTreeSet<&str> = outcomes.map(|o| o.label.subgroup.as_str()).filter(|k| !k.is_empty()).collect();
    kinds.into_iter().collect()
}

/// The long side of the frames `--guidance` judges: a camera preview's (640 x 480).
const PREVIEW_SIDE: u32 = 640;

/// Live guidance's hints by kind of photo (the labels' subgroup column, and every photo), and
/// how often "ready" agrees with the verdict's `valid_pod`.
fn print_guidance(outcomes: &[Outcome]) {
    let hinted: Vec<(&Outcome, &str)> =
        outcomes.iter().filter_map(|o| o.hint.as_ref().and_then(|h| h.as_ref().ok()).map(|h| (o, *h))).collect();
    let hints: Vec<&str> = hinted.iter().map(|(_, h)| *h).collect::<BTreeSet<_>>().into_iter().collect();
    let kinds = kinds_of(hinted.iter().map(|(o, _)| *o));
    println!();
    println!("live guidance on each photo at {PREVIEW_SIDE} px: hints by kind of photo");
    print!("{:<22}", "subgroup");
    for h in &hints {
        print!("{:>w$}", h, w = h.len().max(5) + 2);
    }
    println!();
    for kind in kinds.iter().copied().chain(["(all)"]) {
        print!("{kind:<22}");
        for h in &hints {
            let n = hinted.iter().filter(|(o, g)| g == h && (kind == "(all)" || o.label.subgroup == kind)).count();
            print!("{:>w$}", n, w = h.len().max(5) + 2);
        }
        println!();
    }
    let valid = |o: &Outcome| o.result.as_ref().is_ok_and(|v| v.compliant);
    let ready_valid = hinted.iter().filter(|(o, h)| *h == "ready" && valid(o)).count();
    let ready_other = hinted.iter().filter(|(o, h)| *h == "ready" && !valid(o)).count();
    let n_valid = hinted.iter().filter(|(o, _)| valid(o)).count();
    println!(
        "ready on {ready_valid} of the {n_valid} photos the verdict accepts, and on {ready_other} of the {} it does not",
        hinted.len() - n_valid
    );
    let errors = outcomes.iter().filter(|o| matches!(o.hint, Some(Err(_)))).count();
    if errors > 0 {
        println!("guidance failed on {errors} photos");
    }
}

/// Figures where lower is better; every other baseline figure must not fall.
const LOWER_IS_BETTER: [&str; 2] = ["false_accept_rate", "false_reject_rate"];

fn check_baseline(path: &Path, figures: &Value, margin: f64) -> Result<Vec<String>, Failure> {
    let bad = |m: String| Failure::usage(format!("baseline {}: {m}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let base: BTreeMap<String, f64> = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let mut failures = Vec::new();
    for (key, want) in base {
        let got = key.split('.').fold(figures, |v, k| &v[k]);
        let got = got.as_f64().ok_or_else(|| bad(format!("{key}: no such figure")))?;
        let worse = if LOWER_IS_BETTER.contains(&key.as_str()) { got > want + margin } else { got < want - margin };
        if worse {
            failures.push(format!("{key} = {got:.3}, baseline {want:.3} (margin {margin})"));
        }
    }
    Ok(failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_intervals_bracket_the_rate_and_stay_within_zero_and_one() {
        // 10 of 130: the textbook Wilson interval is 0.0423 to 0.1358
        let v = interval(10, 130);
        assert!((v[0].as_f64().expect("a number") - 0.0423).abs() < 5e-4, "{v}");
        assert!((v[1].as_f64().expect("a number") - 0.1358).abs() < 5e-4, "{v}");
        // none and all keep a one-sided interval inside [0, 1]
        let none = interval(0, 70);
        assert_eq!(none[0].as_f64(), Some(0.0));
        assert!(none[1].as_f64().expect("a number") > 0.03 && none[1].as_f64().expect("a number") < 0.06, "{none}");
        let all = interval(70, 70);
        assert_eq!(all[1].as_f64(), Some(1.0));
        assert_eq!(interval(0, 0), Value::Null);
        assert_eq!(fmt_interval(&Value::Null), "");
    }
}
