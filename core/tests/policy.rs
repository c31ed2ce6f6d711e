//! Policy parsing (every error names its JSON path), category resolution, severity and uiCopy.

use proofshot_core::{
    judge, CategoryRole, CriterionKind, Evidence, EvidenceSet, Policy, Reason, Severity, DEFAULT_POLICY_JSON,
};
use serde_json::{json, Value};

fn default_json() -> Value {
    serde_json::from_str(DEFAULT_POLICY_JSON).expect("default policy is JSON")
}

/// Parses `v`, expecting an error; returns (path, message).
fn error_of(v: &Value) -> (String, String) {
    let err = Policy::from_json(&v.to_string()).expect_err("policy should be rejected");
    let shown = err.to_string();
    assert!(shown.starts_with("policy: "), "message should say it is about the policy: {shown}");
    (err.path, err.message)
}

#[test]
fn default_policy_parses_with_its_fields() {
    let p = Policy::default_policy();
    assert_eq!(p.id, "proof-of-delivery-policy");
    assert_eq!(p.max_attempts, 2);
    assert!(!p.auto_approve_on_exhaust);
    assert_eq!(p.criteria.len(), 4);
    assert_eq!(p.criterion(CriterionKind::PackageVisible).map(|c| c.severity), Some(Severity::Critical));
    assert_eq!(p.criterion(CriterionKind::ImageClear).map(|c| c.severity), Some(Severity::Warning));
    assert_eq!(p.category(CategoryRole::Compliant).id, "valid_pod");
    assert_eq!(p.category(CategoryRole::PoorPhoto).color, "#f97316");
    assert_eq!(p.sha256.len(), 64);
    assert_eq!(p.sha256, proofshot_core::hex_sha256(DEFAULT_POLICY_JSON.as_bytes()));
}

#[test]
fn default_policy_is_the_shared_seed() {
    // the project ships the customer's policy unchanged
    let shared =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/policies/proof-of-delivery-policy.json");
    if let Ok(text) = std::fs::read_to_string(shared) {
        assert_eq!(text, DEFAULT_POLICY_JSON);
    }
}

#[test]
fn retry_message_fills_remaining() {
    let p = Policy::default_policy();
    assert_eq!(
        p.ui_copy.retry_message(1),
        "Make sure the package is placed at the door and visible. 1 attempts remaining."
    );
    assert!(!p.ui_copy.retry_message(0).contains("{remaining}"));
}

#[test]
fn unknown_keys_are_rejected_where_they_are() {
    let mut v = default_json();
    v["extra"] = json!(1);
    let (path, msg) = error_of(&v);
    assert_eq!(path, "extra");
    assert!(msg.contains("unknown field `extra`"), "{msg}");

    let mut v = default_json();
    v["config"]["criteria"][1]["weight"] = json!(3);
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.criteria[1].weight");
    assert!(msg.contains("unknown field `weight`"), "{msg}");

    let mut v = default_json();
    v["config"]["uiCopy"]["welcome"] = json!("hi");
    assert_eq!(error_of(&v).0, "config.uiCopy.welcome");
}

#[test]
fn missing_fields_name_their_parent() {
    let mut v = default_json();
    v["config"]["criteria"][2].as_object_mut().expect("object").remove("severity");
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.criteria[2]");
    assert!(msg.contains("missing field `severity`"), "{msg}");

    let mut v = default_json();
    v["config"]["categories"][0].as_object_mut().expect("object").remove("isCompliant");
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.categories[0]");
    assert!(msg.contains("isCompliant"), "{msg}");

    let mut v = default_json();
    v["config"].as_object_mut().expect("object").remove("maxAttempts");
    assert!(error_of(&v).1.contains("maxAttempts"));
}

#[test]
fn severity_outside_the_three_is_rejected() {
    let mut v = default_json();
    v["config"]["criteria"][2]["severity"] = json!("hi");
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.criteria[2].severity");
    assert!(msg.contains("critical") && msg.contains("warning") && msg.contains("info"), "{msg}");
}

#[test]
fn duplicate_ids_are_rejected() {
    let mut v = default_json();
    v["config"]["criteria"][3]["id"] = json!("package_visible");
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.criteria[3].id");
    assert!(msg.contains("duplicate"), "{msg}");

    let mut v = default_json();
    v["config"]["categories"][2]["id"] = json!("invalid_pod");
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.categories[2].id");
    assert!(msg.contains("duplicate"), "{msg}");
}

#[test]
fn unknown_criterion_and_category_ids_are_rejected() {
    let mut v = default_json();
    v["config"]["criteria"][0]["id"] = json!("has_signature");
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.criteria[0].id");
    assert!(msg.contains("has_signature") && msg.contains("package_visible"), "{msg}");

    let mut v = default_json();
    v["config"]["categories"][1]["id"] = json!("maybe");
    assert_eq!(error_of(&v).0, "config.categories[1].id");
}

#[test]
fn max_attempts_must_be_at_least_one() {
    let mut v = default_json();
    v["config"]["maxAttempts"] = json!(0);
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.maxAttempts");
    assert!(msg.contains("at least 1"), "{msg}");

    v["config"]["maxAttempts"] = json!(-2);
    assert_eq!(error_of(&v).0, "config.maxAttempts");
}

#[test]
fn a_compliant_category_is_required() {
    let mut v = default_json();
    v["config"]["categories"][0]["isCompliant"] = json!(false);
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.categories");
    assert!(msg.contains("no compliant category"), "{msg}");

    let mut v = default_json();
    v["config"]["categories"][1]["isCompliant"] = json!(true);
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.categories[1].isCompliant");
    assert!(msg.contains("invalid_pod"), "{msg}");
}

#[test]
fn every_category_is_required() {
    let mut v = default_json();
    v["config"]["categories"].as_array_mut().expect("array").remove(2);
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.categories");
    assert!(msg.contains("missing category \"poor_photo\""), "{msg}");
}

#[test]
fn retry_message_needs_remaining_only_while_attempts_remain() {
    let mut v = default_json();
    v["config"]["uiCopy"]["retryMessage"] = json!("Try again.");
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.uiCopy.retryMessage");
    assert!(msg.contains("{remaining}"), "{msg}");

    // with one attempt there is never a retry, so the count is not needed
    v["config"]["maxAttempts"] = json!(1);
    assert!(Policy::from_json(&v.to_string()).is_ok());
}

#[test]
fn unknown_placeholders_and_empty_messages_are_rejected() {
    let mut v = default_json();
    v["config"]["uiCopy"]["exhaustedMessage"] = json!("Sent to {reviewer}");
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.uiCopy.exhaustedMessage");
    assert!(msg.contains("{reviewer}"), "{msg}");

    let mut v = default_json();
    v["config"]["uiCopy"]["successMessage"] = json!("  ");
    assert_eq!(error_of(&v), ("config.uiCopy.successMessage".into(), "must not be empty".into()));
}

#[test]
fn wrong_types_and_bad_json_are_located() {
    let mut v = default_json();
    v["config"]["criteria"][1]["required"] = json!("yes");
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.criteria[1].required");
    assert!(msg.contains("expected a boolean"), "{msg}");

    let mut v = default_json();
    v["config"]["mode"] = json!("freeform");
    assert_eq!(error_of(&v).0, "config.mode");

    let err = Policy::from_json("{\"id\": ").expect_err("truncated JSON");
    assert!(err.message.starts_with("invalid JSON"), "{}", err.message);
    let err = Policy::from_json("").expect_err("empty");
    assert!(err.message.starts_with("invalid JSON"), "{}", err.message);
}

fn evidence(scores: [Option<f32>; 4]) -> EvidenceSet {
    let e = |s: Option<f32>, r| s.map_or_else(Evidence::not_evaluated, |s| Evidence::scored(s, r));
    EvidenceSet {
        package_visible: e(scores[0], Reason::NoPackage),
        package_placed: e(scores[1], Reason::HeldInHand),
        location_identifiable: e(scores[2], Reason::NoLocationContext),
        image_clear: e(scores[3], Reason::Blurry),
    }
}

#[test]
fn category_for_every_combination_of_results() {
    let p = Policy::default_policy();
    for mask in 0u8..16 {
        // bit set = criterion passes clearly (score 1.0), clear = fails clearly (0.0)
        let pass = |i: u8| mask & (1 << i) != 0;
        let scores = [0, 1, 2, 3].map(|i| Some(if pass(i) { 1.0 } else { 0.0 }));
        let v = judge(&p, &evidence(scores));
        let expected = if mask == 0b1111 {
            "valid_pod"
        } else if !pass(3) {
            "poor_photo"
        } else {
            "invalid_pod"
        };
        assert_eq!(v.category, expected, "mask {mask:04b}");
        assert_eq!(v.compliant, mask == 0b1111);
        assert_eq!(v.criteria.len(), 4);
        for (i, c) in v.criteria.iter().enumerate() {
            assert_eq!(c.passed, pass(i as u8));
            assert_eq!(c.reason == Reason::Ok, c.passed);
        }
        let msg = if v.compliant { &p.ui_copy.success_message } else { &p.ui_copy.failure_message };
        assert_eq!(&v.message, msg);
    }
}

#[test]
fn not_evaluated_never_passes_and_never_is_compliant() {
    let p = Policy::default_policy();
    let v = judge(&p, &evidence([None, None, None, Some(0.99)]));
    assert_eq!(v.category, "invalid_pod");
    assert!(!v.compliant);
    let c = v.criterion(CriterionKind::PackageVisible).expect("criterion");
    assert_eq!((c.passed, c.score, c.reason), (false, None, Reason::NotEvaluated));
    // and a failed image still wins: a bad photo can show nothing else
    assert_eq!(judge(&p, &evidence([None, None, None, Some(0.01)])).category, "poor_photo");
}

#[test]
fn severity_sets_how_sure_the_engine_must_be() {
    let p = Policy::default_policy();
    // 0.5 everywhere: critical criteria (package) fail, warning criteria (location, image) pass
    let v = judge(&p, &evidence([Some(0.5); 4]));
    let passed: Vec<bool> = v.criteria.iter().map(|c| c.passed).collect();
    assert_eq!(passed, vec![false, false, true, true]);
    assert_eq!(v.category, "invalid_pod");
}

#[test]
fn optional_criteria_are_reported_but_do_not_gate() {
    let mut v = default_json();
    v["config"]["criteria"][3]["required"] = json!(false); // image_clear optional
    v["config"]["criteria"][2]["required"] = json!(false); // location optional
    let p = Policy::from_json(&v.to_string()).expect("valid");
    let verdict = judge(&p, &evidence([Some(0.9), Some(0.9), Some(0.0), Some(0.0)]));
    assert_eq!(verdict.category, "valid_pod");
    let clear = verdict.criterion(CriterionKind::ImageClear).expect("reported");
    assert!(!clear.passed && !clear.required);
    assert_eq!(clear.reason, Reason::Blurry);
}

#[test]
fn a_policy_may_omit_criteria() {
    let mut v = default_json();
    let crit = v["config"]["criteria"].as_array_mut().expect("array");
    crit.retain(|c| c["id"] == "image_clear");
    let p = Policy::from_json(&v.to_string()).expect("valid");
    assert_eq!(judge(&p, &evidence([None, None, None, Some(0.9)])).category, "valid_pod");
    assert_eq!(judge(&p, &evidence([None, None, None, Some(0.1)])).category, "poor_photo");

    v["config"]["criteria"] = json!([]);
    assert_eq!(error_of(&v).0, "config.criteria");
}

#[test]
fn a_number_where_a_name_belongs_is_a_type_error_at_its_path() {
    let mut v = default_json();
    v["config"]["criteria"][0]["severity"] = json!(3);
    assert_eq!(
        error_of(&v),
        ("config.criteria[0].severity".into(), "invalid type: integer `3`, expected a string".into())
    );
    let mut v = default_json();
    v["config"]["mode"] = json!(5);
    assert_eq!(error_of(&v).0, "config.mode");
    let mut v = default_json();
    v["config"]["criteria"][0]["severity"] = json!("urgent");
    let (path, msg) = error_of(&v);
    assert_eq!(path, "config.criteria[0].severity");
    assert_eq!(msg, "unknown variant `urgent`, expected one of `critical`, `warning`, `info`");
}

#[test]
fn syntax_errors_give_line_and_column_not_a_guessed_path() {
    let err = Policy::from_json("{\"id\": \"x\", \"config\": {,}}").expect_err("bad JSON");
    assert_eq!(
        (err.path.as_str(), err.message.as_str()),
        ("", "invalid JSON at line 1 column 24: key must be a string")
    );
    let err = Policy::from_json("{\"id\": \"x\",\n \"name\": tru}").expect_err("bad JSON");
    assert!(err.message.starts_with("invalid JSON at line 2 column "), "{}", err.message);
}

#[test]
fn trailing_data_is_refused_and_a_byte_order_mark_is_skipped() {
    let err = Policy::from_json(&format!("{DEFAULT_POLICY_JSON} {{}}")).expect_err("a second document");
    assert!(
        err.message.starts_with("invalid JSON at line") && err.message.ends_with("trailing characters"),
        "{}",
        err.message
    );
    assert!(Policy::from_json(&format!("{DEFAULT_POLICY_JSON}x")).is_err());
    assert!(Policy::from_json(&format!("{DEFAULT_POLICY_JSON}\n\n")).is_ok(), "whitespace after the document is fine");
    let with_bom = format!("\u{feff}{DEFAULT_POLICY_JSON}");
    let p = Policy::from_json(&with_bom).expect("a UTF-8 byte order mark is skipped");
    assert_eq!(p.sha256, proofshot_core::hex_sha256(with_bom.as_bytes()), "the hash is of the bytes as given");
}

#[test]
fn braces_in_messages_are_filled_or_refused_the_same_everywhere() {
    for (field, text, problem) in [
        (
            "exhaustedMessage",
            "No attempts left: {remaining}",
            "placeholder \"{remaining}\" is not filled in (nothing is filled in here)",
        ),
        (
            "successMessage",
            "Thanks {remaining}",
            "placeholder \"{remaining}\" is not filled in (nothing is filled in here)",
        ),
        ("retryMessage", "Try again ({remaining} left)}", "unmatched '}' (only {remaining} is filled in)"),
        ("failureMessage", "Oops }", "unmatched '}' (nothing is filled in here)"),
        ("retryMessage", "{remaining} left {", "unclosed '{' (only {remaining} is filled in)"),
        ("retryMessage", "{remaining} left, {{remaining}}", "unclosed '{' (only {remaining} is filled in)"),
    ] {
        let mut v = default_json();
        v["config"]["uiCopy"][field] = json!(text);
        assert_eq!(error_of(&v), (format!("config.uiCopy.{field}"), problem.to_owned()), "{text}");
    }
    let mut v = default_json();
    v["config"]["uiCopy"]["retryMessage"] = json!("Retake it: {remaining} left. {remaining}!");
    assert!(Policy::from_json(&v.to_string()).is_ok());
}

#[test]
fn ids_names_and_texts_are_bounded_and_printable() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("id", json!("pod\u{0}"), "holds the control character U+0000 at character 3"),
        ("id", json!("pod\u{200B}"), "holds the invisible character U+200B at character 3"),
        ("id", json!(" pod"), "must not start or end with whitespace"),
        ("id", json!("x".repeat(10 << 20)), "is 10485760 bytes long, over the limit of 128"),
        ("name", json!("Proof\nof delivery"), "holds the control character U+000A at character 5"),
        ("name", json!("n".repeat(201)), "is 201 characters long, over the limit of 200"),
    ];
    for (field, value, problem) in cases {
        let mut v = default_json();
        v[field] = value;
        assert_eq!(error_of(&v), (field.to_owned(), problem.to_owned()));
    }
    let mut v = default_json();
    v["config"]["criteria"][0]["description"] = json!("d".repeat(2001));
    assert_eq!(error_of(&v).0, "config.criteria[0].description");
    let mut v = default_json();
    v["config"]["uiCopy"]["retryMessage"] = json!("Retake it.\n{remaining} left\u{1b}[31m");
    assert_eq!(error_of(&v).1, "holds the control character U+001B at character 27");
    // line breaks in texts, and emoji with joiners in names, are fine
    let mut v = default_json();
    v["config"]["uiCopy"]["retryMessage"] = json!("Retake it.\n{remaining} left");
    v["name"] = json!("Proof of delivery \u{1F468}\u{200D}\u{1F4BB}");
    assert!(Policy::from_json(&v.to_string()).is_ok());
}

#[test]
fn what_an_error_quotes_from_the_policy_is_bounded() {
    let mut v = default_json();
    v["config"][&"k".repeat(1 << 20)] = json!(1);
    let (path, msg) = error_of(&v);
    assert!(path.starts_with("config.kkk") && path.ends_with("… (1048583 bytes in all)"), "{} bytes", path.len());
    assert!(msg.starts_with("unknown field `kkk") && msg.len() < 400, "{} bytes", msg.len());
    let mut v = default_json();
    v["config"]["criteria"][0]["id"] = json!("c".repeat(10 << 20));
    assert_eq!(error_of(&v), ("config.criteria[0].id".into(), "is 10485760 bytes long, over the limit of 128".into()));
}

#[test]
fn an_empty_description_is_fine_an_empty_label_is_not() {
    let mut v = default_json();
    v["config"]["criteria"][0]["description"] = json!("");
    v["config"]["categories"][0]["description"] = json!("");
    assert!(Policy::from_json(&v.to_string()).is_ok());
    v["config"]["criteria"][0]["label"] = json!(" ");
    assert_eq!(error_of(&v), ("config.criteria[0].label".into(), "must not be empty".into()));
}
