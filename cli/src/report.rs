//! The `eval --html` report: one self-contained page, a card per photo, mistakes first.

use base64::Engine as _;
use proofshot_core::{Frame, Policy, Verdict};
use serde_json::Value;

use crate::eval::Outcome;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn thumbnail_uri(frame: &Frame) -> String {
    let img = proofshot_fixtures::Rgb { width: frame.width(), height: frame.height(), data: frame.rgb().to_vec() };
    let jpeg = proofshot_fixtures::encode_jpeg(&img, 80, None);
    format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(jpeg))
}

fn color(policy: &Policy, category: &str) -> String {
    policy.categories.iter().find(|c| c.id == category).map_or("#64748b".to_owned(), |c| esc(&c.color))
}

/// The verdict's boxes as outlines over the thumbnail, placed in percent of the photo.
fn boxes_html(v: &Verdict, (sw, sh): (u32, u32)) -> String {
    let (sw, sh) = (f64::from(sw.max(1)), f64::from(sh.max(1)));
    v.boxes
        .iter()
        .map(|b| {
            let pct = |v: f32, of: f64| f64::from(v) / of * 100.0;
            format!(
                "<span class=\"box {}\" style=\"left:{:.2}%;top:{:.2}%;width:{:.2}%;height:{:.2}%\" title=\"{} {:.2}\"><i>{} {:.2}</i></span>",
                esc(b.label),
                pct(b.x, sw),
                pct(b.y, sh),
                pct(b.width, sw),
                pct(b.height, sh),
                esc(b.label),
                b.score,
                esc(b.label),
                b.score
            )
        })
        .collect()
}

pub(crate) fn render(policy: &Policy, outcomes: &[Outcome], figures: &Value, models: &str) -> String {
    let mut order: Vec<&Outcome> = outcomes.iter().collect();
    order.sort_by_key(|o| !o.is_mistake()); // stable: mistakes first, then label order
    let mut cards = String::new();
    for o in order {
        let truth = &o.label.category;
        let (verdict_html, rows) = match &o.result {
            Ok(v) => {
                let rows: String = v
                    .criteria
                    .iter()
                    .map(|c| {
                        let truth = o.label.criteria.get(c.id()).map_or("?", |t| if *t { "pass" } else { "fail" });
                        let score = c.score.map_or("–".to_owned(), |s| format!("{s:.2}"));
                        format!(
                            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                            if c.passed { "ok" } else { "bad" },
                            esc(c.id()),
                            score,
                            esc(c.reason.as_str()),
                            truth
                        )
                    })
                    .collect();
                (
                    format!(
                        "<span class=\"pill\" style=\"background:{}\">{}</span>",
                        color(policy, &v.category),
                        esc(&v.category)
                    ),
                    rows,
                )
            }
            Err(e) => (format!("<span class=\"pill err\">error</span> {}", esc(e)), String::new()),
        };
        let img = o.thumbnail.as_ref().map_or(String::new(), |f| {
            let boxes = o.result.as_ref().map_or(String::new(), |v| boxes_html(v, f.source_size()));
            format!("<div class=\"shot\"><img src=\"{}\" alt=\"{}\">{boxes}</div>", thumbnail_uri(f), esc(&o.label.id))
        });
        cards.push_str(&format!(
            "<div class=\"card{}\">{img}<div class=\"meta\"><b>{}</b> <small>{}</small><br>truth <span class=\"pill\" style=\"background:{}\">{}</span> verdict {verdict_html}<table><tr><th>criterion</th><th>score</th><th>reason</th><th>truth</th></tr>{rows}</table></div></div>\n",
            if o.is_mistake() { " wrong" } else { "" },
            esc(&o.label.id),
            esc(&o.label.file),
            color(policy, truth),
            esc(truth),
        ));
    }
    let summary = format!(
        "accuracy {} · false accepts {} ({}) · false rejects {} ({}) · {} photos, {} errors · {}",
        figures["accuracy"],
        figures["false_accepts"],
        figures["false_accept_rate"],
        figures["false_rejects"],
        figures["false_reject_rate"],
        figures["photos"],
        figures["errors"],
        esc(models)
    );
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>ProofShot eval</title><style>\
body{{font:14px system-ui,sans-serif;margin:24px;background:#f8fafc;color:#0f172a}}\
.grid{{display:flex;flex-wrap:wrap;gap:12px}}.card{{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:8px;width:600px;display:flex;gap:10px;box-sizing:border-box}}\
.card.wrong{{border:2px solid #ef4444}}.shot{{position:relative;flex:none;align-self:flex-start;line-height:0}}img{{max-width:220px;max-height:220px;border-radius:4px}}\
.box{{position:absolute;border:2px solid #2563eb;box-sizing:border-box}}.box.door{{border-color:#a855f7}}.box i{{position:absolute;left:0;top:-13px;font:10px/12px system-ui;background:#2563eb;color:#fff;padding:0 2px;white-space:nowrap}}.box.door i{{background:#a855f7}}.meta{{flex:1;min-width:0}}\
.pill{{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px}}.err{{background:#64748b}}\
table{{border-collapse:collapse;margin-top:6px;font-size:12px;width:100%}}td,th{{padding:1px 4px;text-align:left;white-space:nowrap}}tr.bad td{{color:#b91c1c}}\
</style></head><body><h1>ProofShot eval · policy {}</h1><p>{summary}</p><p>Mistakes first (red border). Criterion rows in red did not pass; <i>truth</i> is the label. Blue outlines are packages found, purple doors.</p><div class=\"grid\">\n{cards}</div></body></html>\n",
        esc(&policy.id)
    )
}
