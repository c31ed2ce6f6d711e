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

impl PolicyError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
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

    /// Parses and validates a policy.
    pub fn from_json(json: &str) -> Result<Self, PolicyError> {
        let de = &mut serde_json::Deserializer::from_str(json);
        let raw: RawPolicy = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let path = if path == "." { String::new() } else { path };
            let message = if inner.is_syntax() || inner.is_eof() {
                format!("invalid JSON: {inner}")
            } else {
                // serde_json appends " at line L column C"; the path already locates it
                let s = inner.to_string();
                s.rsplit_once(" at line ").map_or(s.clone(), |(m, _)| m.to_owned())
            };
            PolicyError::at(path, message)
        })?;
        validate(raw, hex_sha256(json.as_bytes()))
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawConfig {
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

fn non_empty(path: &str, value: &str) -> Result<(), PolicyError> {
    if value.trim().is_empty() {
        return Err(PolicyError::at(path, "must not be empty"));
    }
    Ok(())
}

/// Placeholders other than `{remaining}` are mistakes that would show raw braces to drivers.
fn known_placeholders_only(path: &str, message: &str) -> Result<(), PolicyError> {
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        match after.find('}') {
            Some(close) if &after[..=close] == REMAINING_PLACEHOLDER => rest = &after[close + 1..],
            Some(close) => {
                return Err(PolicyError::at(
                    path,
                    format!("unknown placeholder {:?} (only {REMAINING_PLACEHOLDER} is filled in)", &after[..=close]),
                ))
            }
            None => return Err(PolicyError::at(path, "unclosed '{' (only {remaining} is filled in)")),
        }
    }
    Ok(())
}

fn validate(raw: RawPolicy, sha256: String) -> Result<Policy, PolicyError> {
    non_empty("id", &raw.id)?;
    non_empty("name", &raw.name)?;
    let config = raw.config;
    let Mode::Structured = config.mode;

    let mut categories = Vec::with_capacity(config.categories.len());
    let mut seen = HashSet::new();
    for (i, c) in config.categories.into_iter().enumerate() {
        let path = format!("config.categories[{i}]");
        non_empty(&format!("{path}.id"), &c.id)?;
        non_empty(&format!("{path}.label"), &c.label)?;
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
        non_empty(&format!("{path}.label"), &c.label)?;
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
        non_empty(&path, text)?;
        known_placeholders_only(&path, text)?;
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
