//! Proof-of-delivery policies: the JSON format ops write, parsed strictly.
//!
//! The format is that of `policies/proof-of-delivery.json`, the default policy the SDK
//! embeds. Every error names the JSON path of the field at fault
//! (`config.criteria[2].severity: ...`); nothing is silently defaulted.

use std::collections::HashSet;

use serde::Deserialize;

use crate::models::hex_sha256;
use crate::severity::Severity;

/// The default proof-of-delivery policy, embedded in the library.
pub const DEFAULT_POLICY_JSON: &str = include_str!("../../policies/proof-of-delivery.json");

/// The placeholder retry messages must carry while attempts remain.
pub const REMAINING_PLACEHOLDER: &str = "{remaining}";

/// A policy that could not be used, and where in the JSON the problem is.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("policy: {}{message}", if .path.is_empty() { String::new() } else { format!("{}: ", .path) })]
pub struct PolicyError {
    /// JSON path of the offending field (`config.criteria[2].severity`); empty for the document.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// The most characters of a policy error's path and of its message: both may quote what the
/// policy holds (an unknown field's name, an id), and a policy may hold megabytes.
const MAX_ECHO_CHARS: usize = 300;

/// `text`, cut to [`MAX_ECHO_CHARS`] characters with the length it had.
fn bounded(text: String) -> String {
    match text.char_indices().nth(MAX_ECHO_CHARS) {
        None => text,
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], text.len()),
    }
}

impl PolicyError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: bounded(path.into()), message: bounded(message.into()) }
    }
}

/// The criteria the SDK can evaluate, by their policy ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CriterionKind {
    /// `package_visible`: a package, parcel, box, envelope or bag is visible.
    PackageVisible,
    /// `package_placed`: set down at a location, not held in a hand or inside a vehicle.
    PackagePlaced,
    /// `location_identifiable`: a door, porch, threshold or building feature is in view.
    LocationIdentifiable,
    /// `image_clear`: not black, not unidentifiably blurred, and a real photo.
    ImageClear,
}

impl CriterionKind {
    /// Every known criterion.
    pub const ALL: [Self; 4] =
        [Self::PackageVisible, Self::PackagePlaced, Self::LocationIdentifiable, Self::ImageClear];

    /// The id policies use for it.
    pub fn id(self) -> &'static str {
        match self {
            Self::PackageVisible => "package_visible",
            Self::PackagePlaced => "package_placed",
            Self::LocationIdentifiable => "location_identifiable",
            Self::ImageClear => "image_clear",
        }
    }

    /// The criterion for a policy id.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// Whether failing it means the photo itself is unusable (the poor-photo category),
    /// rather than showing the wrong thing (the invalid category).
    pub fn is_image_quality(self) -> bool {
        self == Self::ImageClear
    }
}

/// What a category means for the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CategoryRole {
    /// Every required criterion passed (`valid_pod`).
    Compliant,
    /// A required criterion about what the photo shows failed (`invalid_pod`).
    Invalid,
    /// The image itself is unusable (`poor_photo`).
    PoorPhoto,
}

impl CategoryRole {
    const ALL: [Self; 3] = [Self::Compliant, Self::Invalid, Self::PoorPhoto];

    /// The category id policies use for the role.
    pub fn id(self) -> &'static str {
        match self {
            Self::Compliant => "valid_pod",
            Self::Invalid => "invalid_pod",
            Self::PoorPhoto => "poor_photo",
        }
    }
}

/// One category a verification can end in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Its id (`valid_pod`, `invalid_pod`, `poor_photo`).
    pub id: String,
    /// What it means for the verdict.
    pub role: CategoryRole,
    /// Label for people.
    pub label: String,
    /// Display colour (`#22c55e`).
    pub color: String,
    /// Whether the delivery counts as proven.
    pub is_compliant: bool,
    /// Description for people.
    pub description: String,
}

/// One criterion of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    /// Which criterion.
    pub kind: CriterionKind,
    /// Label for people.
    pub label: String,
    /// Description for people (and for what the model is asked to judge).
    pub description: String,
    /// How sure the engine must be; see [`Severity`].
    pub severity: Severity,
    /// Whether it gates the verdict; an optional criterion is reported only.
    pub required: bool,
}

/// Messages the driver app shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiCopy {
    /// Camera screen title.
    pub scanner_title: String,
    /// Camera screen instructions.
    pub scanner_instructions: String,
    /// Shown while verifying.
    pub processing_message: String,
    /// Shown on a compliant photo.
    pub success_message: String,
    /// Shown on a non-compliant photo.
    pub failure_message: String,
    /// Shown when another attempt is allowed; `{remaining}` is replaced by the count.
    pub retry_message: String,
    /// Shown when attempts are used up.
    pub exhausted_message: String,
}

impl UiCopy {
    /// The retry message with `{remaining}` filled in.
    pub fn retry_message(&self, remaining: u32) -> String {
        self.retry_message.replace(REMAINING_PLACEHOLDER, &remaining.to_string())
    }
}

/// A parsed, validated policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Policy id.
    pub id: String,
    /// Policy name.
    pub name: String,
    /// Categories, in the document's order.
    pub categories: Vec<Category>,
    /// Criteria, in the document's order.
    pub criteria: Vec<Criterion>,
    /// Photos a driver may submit for one stop; at least 1.
    pub max_attempts: u32,
    /// Whether a stop whose attempts are used up is approved rather than sent to review.
    pub auto_approve_on_exhaust: bool,
    /// Messages.
    pub ui_copy: UiCopy,
    /// Lower-case hex SHA-256 of the JSON bytes the policy was parsed from.
    pub sha256: String,
}

impl Policy {
    /// The default proof-of-delivery policy.
    pub fn default_policy() -> Self {
        Self::from_json(DEFAULT_POLICY_JSON).expect("the embedded default policy is valid (checked by tests)")
    }

    /// Parses and validates a policy. A leading UTF-8 byte order mark (which some editors
    /// write) is skipped; anything after the JSON document but whitespace is an error.
    pub fn from_json(json: &str) -> Result<Self, PolicyError> {
        let sha256 = hex_sha256(json.as_bytes());
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        let de = &mut serde_json::Deserializer::from_str(json);
        let raw: RawPolicy = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() || path.contains('?') {
                // the path of a syntax error is where parsing stood, not a field: give the place
                return json_error(&inner);
            }
            let path = if path == "." { String::new() } else { path };
            // serde_json appends " at line L column C"; the path already locates it
            let s = inner.to_string();
            PolicyError::at(path, s.rsplit_once(" at line ").map_or(s.clone(), |(m, _)| m.to_owned()))
        })?;
        de.end().map_err(|e| json_error(&e))?;
        validate(raw, sha256)
    }

    /// The category for a role.
    pub fn category(&self, role: CategoryRole) -> &Category {
        self.categories.iter().find(|c| c.role == role).expect("validation guarantees one category per role")
    }

    /// The policy's criterion of a kind, if it has one.
    pub fn criterion(&self, kind: CriterionKind) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.kind == kind)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    id: String,
    name: String,
    config: RawConfig,
}

/// An enum written as a JSON string: read as a string first, so that a number or object where
/// the string belongs is a type error at the field's path, not a syntax error of the document.
fn from_string<'de, D: serde::Deserializer<'de>, T: serde::de::DeserializeOwned>(d: D) -> Result<T, D::Error> {
    let s = String::deserialize(d)?;
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(&s))
        .map_err(serde::de::Error::custom)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawConfig {
    #[serde(deserialize_with = "from_string")]
    mode: Mode,
    categories: Vec<RawCategory>,
    criteria: Vec<RawCriterion>,
    max_attempts: u32,
    auto_approve_on_exhaust: bool,
    ui_copy: RawUiCopy,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Structured,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawCategory {
    id: String,
    label: String,
    color: String,
    is_compliant: bool,
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    id: String,
    label: String,
    description: String,
    #[serde(deserialize_with = "from_string")]
    severity: Severity,
    required: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawUiCopy {
    scanner_title: String,
    scanner_instructions: String,
    processing_message: String,
    success_message: String,
    failure_message: String,
    retry_message: String,
    exhausted_message: String,
}

/// A JSON syntax error (or one whose field path is unknown), placed by line and column.
fn json_error(e: &serde_json::Error) -> PolicyError {
    let what = e.to_string();
    let what = what.rsplit_once(" at line ").map_or(what.as_str(), |(m, _)| m);
    PolicyError::at("", format!("invalid JSON at line {} column {}: {what}", e.line(), e.column()))
}

/// The longest policy id, in bytes: it is copied into every evidence record.
pub(crate) const MAX_ID_BYTES: usize = 128;
/// The longest name or label, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 200;
/// The longest description or message, in characters.
pub(crate) const MAX_TEXT_CHARS: usize = 2000;

/// What a field may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    /// An identifier: no whitespace at either end, no control or invisible formatting
    /// characters (a zero-width space would make two ids that look the same differ).
    Id,
    /// A name or label: one line.
    Name,
    /// A message: may hold line breaks and tabs.
    Text,
    /// A description: a text that may also be empty.
    Description,
}

/// Unicode's invisible formatting characters (category Cf) that matter in identifiers:
/// zero-width spaces and joiners, bidirectional controls, word joiner, byte order mark.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Checks a field: not empty, within its length bound, no control characters (but line breaks
/// and tabs in texts), and for ids no invisible formatting characters or surrounding spaces.
fn checked(path: &str, value: &str, field: Field) -> Result<(), PolicyError> {
    if value.trim().is_empty() && field != Field::Description {
        return Err(PolicyError::at(path, "must not be empty"));
    }
    let (limit, unit, len) = match field {
        Field::Id => (MAX_ID_BYTES, "bytes", value.len()),
        Field::Name => (MAX_NAME_CHARS, "characters", value.chars().count()),
        Field::Text | Field::Description => (MAX_TEXT_CHARS, "characters", value.chars().count()),
    };
    if len > limit {
        return Err(PolicyError::at(path, format!("is {len} {unit} long, over the limit of {limit}")));
    }
    let allowed_control = |c: char| matches!(field, Field::Text | Field::Description) && matches!(c, '\n' | '\t');
    if let Some((i, c)) = value.chars().enumerate().find(|&(_, c)| c.is_control() && !allowed_control(c)) {
        return Err(PolicyError::at(
            path,
            format!("holds the control character U+{:04X} at character {i}", u32::from(c)),
        ));
    }
    if field == Field::Id {
        if let Some((i, c)) = value.chars().enumerate().find(|&(_, c)| is_invisible_format(c)) {
            return Err(PolicyError::at(
                path,
                format!("holds the invisible character U+{:04X} at character {i}", u32::from(c)),
            ));
        }
        if value.trim() != value {
            return Err(PolicyError::at(path, "must not start or end with whitespace"));
        }
    }
    Ok(())
}

/// Braces in messages are placeholders: `{remaining}` where `remaining` says it is filled in
/// (the retry message), and nothing else anywhere, so that no driver sees raw braces. A lone
/// `{` or `}` is refused too.
fn placeholders(path: &str, message: &str, remaining: bool) -> Result<(), PolicyError> {
    let filled = if remaining { "only {remaining} is filled in" } else { "nothing is filled in here" };
    let mut rest = message;
    while let Some(brace) = rest.find(['{', '}']) {
        let after = &rest[brace..];
        if after.starts_with('}') {
            return Err(PolicyError::at(path, format!("unmatched '}}' ({filled})")));
        }
        match after[1..].find(['}', '{']).map(|i| i + 1) {
            Some(close) if after[close..].starts_with('}') => {
                let placeholder = &after[..=close];
                if !(remaining && placeholder == REMAINING_PLACEHOLDER) {
                    return Err(PolicyError::at(
                        path,
                        format!("placeholder {placeholder:?} is not filled in ({filled})"),
                    ));
                }
                rest = &after[close + 1..];
            }
            _ => return Err(PolicyError::at(path, format!("unclosed '{{' ({filled})"))),
        }
    }
    Ok(())
}

fn validate(raw: RawPolicy, sha256: String) -> Result<Policy, PolicyError> {
    checked("id", &raw.id, Field::Id)?;
    checked("name", &raw.name, Field::Name)?;
    let config = raw.config;
    let Mode::Structured = config.mode;

    let mut categories = Vec::with_capacity(config.categories.len());
    let mut seen = HashSet::new();
    for (i, c) in config.categories.into_iter().enumerate() {
        let path = format!("config.categories[{i}]");
        checked(&format!("{path}.id"), &c.id, Field::Id)?;
        checked(&format!("{path}.label"), &c.label, Field::Name)?;
        checked(&format!("{path}.color"), &c.color, Field::Name)?;
        checked(&format!("{path}.description"), &c.description, Field::Description)?;
        if !seen.insert(c.id.clone()) {
            return Err(PolicyError::at(format!("{path}.id"), format!("duplicate category id {:?}", c.id)));
        }
        let role = CategoryRole::ALL.into_iter().find(|r| r.id() == c.id).ok_or_else(|| {
            PolicyError::at(
                format!("{path}.id"),
                format!("unknown category {:?}, expected one of valid_pod, invalid_pod, poor_photo", c.id),
            )
        })?;
        categories.push(Category {
            id: c.id,
            role,
            label: c.label,
            color: c.color,
            is_compliant: c.is_compliant,
            description: c.description,
        });
    }
    if !categories.iter().any(|c| c.is_compliant) {
        return Err(PolicyError::at("config.categories", "no compliant category (one needs \"isCompliant\": true)"));
    }
    for role in CategoryRole::ALL {
        let Some(i) = categories.iter().position(|c| c.role == role) else {
            return Err(PolicyError::at("config.categories", format!("missing category {:?}", role.id())));
        };
        let expected = role == CategoryRole::Compliant;
        if categories[i].is_compliant != expected {
            return Err(PolicyError::at(
                format!("config.categories[{i}].isCompliant"),
                format!("must be {expected} for {:?}", role.id()),
            ));
        }
    }

    let mut criteria = Vec::with_capacity(config.criteria.len());
    let mut seen = HashSet::new();
    for (i, c) in config.criteria.into_iter().enumerate() {
        let path = format!("config.criteria[{i}]");
        checked(&format!("{path}.id"), &c.id, Field::Id)?;
        let kind = CriterionKind::from_id(&c.id).ok_or_else(|| {
            let known: Vec<_> = CriterionKind::ALL.iter().map(|k| k.id()).collect();
            PolicyError::at(
                format!("{path}.id"),
                format!("unknown criterion {:?}, expected one of {}", c.id, known.join(", ")),
            )
        })?;
        if !seen.insert(kind) {
            return Err(PolicyError::at(format!("{path}.id"), format!("duplicate criterion id {:?}", c.id)));
        }
        checked(&format!("{path}.label"), &c.label, Field::Name)?;
        checked(&format!("{path}.description"), &c.description, Field::Description)?;
        criteria.push(Criterion {
            kind,
            label: c.label,
            description: c.description,
            severity: c.severity,
            required: c.required,
        });
    }
    if criteria.is_empty() {
        return Err(PolicyError::at("config.criteria", "a policy needs at least one criterion"));
    }

    if config.max_attempts < 1 {
        return Err(PolicyError::at("config.maxAttempts", format!("must be at least 1, got {}", config.max_attempts)));
    }
    let u = config.ui_copy;
    for (field, text) in [
        ("scannerTitle", &u.scanner_title),
        ("scannerInstructions", &u.scanner_instructions),
        ("processingMessage", &u.processing_message),
        ("successMessage", &u.success_message),
        ("failureMessage", &u.failure_message),
        ("retryMessage", &u.retry_message),
        ("exhaustedMessage", &u.exhausted_message),
    ] {
        let path = format!("config.uiCopy.{field}");
        checked(&path, text, Field::Text)?;
        placeholders(&path, text, field == "retryMessage")?;
    }
    if config.max_attempts > 1 && !u.retry_message.contains(REMAINING_PLACEHOLDER) {
        return Err(PolicyError::at(
            "config.uiCopy.retryMessage",
            format!(
                "must contain {REMAINING_PLACEHOLDER} to tell drivers how many attempts remain (maxAttempts is {})",
                config.max_attempts
            ),
        ));
    }

    Ok(Policy {
        id: raw.id,
        name: raw.name,
        categories,
        criteria,
        max_attempts: config.max_attempts,
        auto_approve_on_exhaust: config.auto_approve_on_exhaust,
        ui_copy: UiCopy {
            scanner_title: u.scanner_title,
            scanner_instructions: u.scanner_instructions,
            processing_message: u.processing_message,
            success_message: u.success_message,
            failure_message: u.failure_message,
            retry_message: u.retry_message,
            exhausted_message: u.exhausted_message,
        },
        sha256,
    })
}
