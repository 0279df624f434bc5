//! Knobs: a kernel's documented, range-checked settings, set by name (`--set lr=0.001`).

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The type, default and valid range of a knob.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KnobKind {
    /// A whole number in `min..=max`.
    Int { default: i64, min: i64, max: i64 },
    /// A finite real number in `min..=max`.
    Float { default: f64, min: f64, max: f64 },
    /// `true` or `false`.
    Bool { default: bool },
    /// One of a fixed list of names.
    Choice {
        default: &'static str,
        options: &'static [&'static str],
    },
    /// Free text, e.g. a file path (`--set file=Dockerfile`).
    Text { default: &'static str },
}

/// One knob a kernel declares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KnobSpec {
    /// Name used on the command line, e.g. `k_disc_steps`.
    pub name: &'static str,
    /// What it does (Japanese, with English terms as in the lessons).
    pub doc: &'static str,
    pub kind: KnobKind,
}

impl KnobSpec {
    /// An integer knob.
    pub const fn int(
        name: &'static str,
        doc: &'static str,
        default: i64,
        min: i64,
        max: i64,
    ) -> Self {
        Self {
            name,
            doc,
            kind: KnobKind::Int { default, min, max },
        }
    }

    /// A real-valued knob.
    pub const fn float(
        name: &'static str,
        doc: &'static str,
        default: f64,
        min: f64,
        max: f64,
    ) -> Self {
        Self {
            name,
            doc,
            kind: KnobKind::Float { default, min, max },
        }
    }

    /// A boolean knob.
    pub const fn bool(name: &'static str, doc: &'static str, default: bool) -> Self {
        Self {
            name,
            doc,
            kind: KnobKind::Bool { default },
        }
    }

    /// A knob choosing one of `options`.
    pub const fn choice(
        name: &'static str,
        doc: &'static str,
        default: &'static str,
        options: &'static [&'static str],
    ) -> Self {
        Self {
            name,
            doc,
            kind: KnobKind::Choice { default, options },
        }
    }

    /// A free-text knob (a path, a name).
    pub const fn text(name: &'static str, doc: &'static str, default: &'static str) -> Self {
        Self {
            name,
            doc,
            kind: KnobKind::Text { default },
        }
    }

    /// The default value.
    pub fn default_value(&self) -> KnobValue {
        match self.kind {
            KnobKind::Int { default, .. } => KnobValue::Int(default),
            KnobKind::Float { default, .. } => KnobValue::Float(default),
            KnobKind::Bool { default } => KnobValue::Bool(default),
            KnobKind::Choice { default, .. } => KnobValue::Choice(default),
            KnobKind::Text { default } => KnobValue::Text(default.to_string()),
        }
    }

    /// The valid values in words, e.g. `integer in 1..=64` — used in error messages and help.
    pub fn range_text(&self) -> String {
        match self.kind {
            KnobKind::Int { min, max, .. } => format!("integer in {min}..={max}"),
            KnobKind::Float { min, max, .. } => format!("number in {min}..={max}"),
            KnobKind::Bool { .. } => "true or false".to_string(),
            KnobKind::Choice { options, .. } => format!("one of {}", options.join(" | ")),
            KnobKind::Text { .. } => "text".to_string(),
        }
    }

    /// Parses and range-checks a value given as text.
    pub fn parse(&self, text: &str) -> Result<KnobValue, KnobError> {
        let t = text.trim();
        let bad = |reason: &str| KnobError::BadValue {
            knob: self.name.to_string(),
            value: text.to_string(),
            reason: reason.to_string(),
            expected: self.range_text(),
            default: self.default_value().to_string(),
        };
        match self.kind {
            KnobKind::Int { min, max, .. } => {
                let v: i64 = t.parse().map_err(|_| bad("not an integer"))?;
                if v < min || v > max {
                    return Err(bad("out of range"));
                }
                Ok(KnobValue::Int(v))
            }
            KnobKind::Float { min, max, .. } => {
                let v: f64 = t.parse().map_err(|_| bad("not a number"))?;
                if !v.is_finite() {
                    return Err(bad("not a finite number"));
                }
                if v < min || v > max {
                    return Err(bad("out of range"));
                }
                Ok(KnobValue::Float(v))
            }
            KnobKind::Bool { .. } => match t {
                "true" | "1" | "yes" | "on" => Ok(KnobValue::Bool(true)),
                "false" | "0" | "no" | "off" => Ok(KnobValue::Bool(false)),
                _ => Err(bad("not a boolean")),
            },
            KnobKind::Choice { options, .. } => options
                .iter()
                .find(|o| **o == t)
                .map(|o| KnobValue::Choice(o))
                .ok_or_else(|| bad("not one of the options")),
            KnobKind::Text { .. } => Ok(KnobValue::Text(t.to_string())),
        }
    }
}

/// A knob's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum KnobValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    Choice(&'static str),
    Text(String),
}

impl fmt::Display for KnobValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(v) => write!(f, "{v}"),
            Self::Float(v) => write!(f, "{v}"),
            Self::Bool(v) => write!(f, "{v}"),
            Self::Choice(v) => f.write_str(v),
            Self::Text(v) => f.write_str(v),
        }
    }
}

/// Why a `name=value` setting was rejected. The message lists what is valid.
#[derive(Debug, Clone, PartialEq)]
pub enum KnobError {
    /// Not of the form `name=value`.
    Malformed { setting: String },
    /// No knob with that name; `valid` lists every knob with its range.
    Unknown {
        kernel: String,
        knob: String,
        valid: Vec<String>,
    },
    /// The value does not parse or is out of range.
    BadValue {
        knob: String,
        value: String,
        reason: String,
        expected: String,
        default: String,
    },
}

impl fmt::Display for KnobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { setting } => {
                write!(
                    f,
                    "setting `{setting}` is not of the form name=value (e.g. --set lr=0.001)"
                )
            }
            Self::Unknown {
                kernel,
                knob,
                valid,
            } => {
                write!(f, "kernel `{kernel}` has no knob `{knob}`")?;
                if valid.is_empty() {
                    write!(f, "; it has no knobs")
                } else {
                    write!(f, "; valid knobs:")?;
                    for v in valid {
                        write!(f, "\n  {v}")?;
                    }
                    Ok(())
                }
            }
            Self::BadValue {
                knob,
                value,
                reason,
                expected,
                default,
            } => write!(
                f,
                "knob `{knob}` = `{value}` is {reason}: expected {expected} (default {default})"
            ),
        }
    }
}

impl std::error::Error for KnobError {}

/// A complete, validated setting of every knob of one kernel, plus the seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnobValues {
    pub seed: u64,
    values: BTreeMap<&'static str, KnobValue>,
}

impl KnobValues {
    /// Every knob at its default.
    pub fn defaults(specs: &[KnobSpec], seed: u64) -> Self {
        Self {
            seed,
            values: specs.iter().map(|s| (s.name, s.default_value())).collect(),
        }
    }

    /// Defaults overridden by `settings` (`name=value` strings), each validated.
    pub fn from_settings<S: AsRef<str>>(
        kernel: &str,
        specs: &[KnobSpec],
        seed: u64,
        settings: &[S],
    ) -> Result<Self, KnobError> {
        let mut values = Self::defaults(specs, seed);
        for setting in settings {
            let setting = setting.as_ref();
            let (name, text) = setting
                .split_once('=')
                .ok_or_else(|| KnobError::Malformed {
                    setting: setting.to_string(),
                })?;
            let name = name.trim();
            let spec = specs
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| KnobError::Unknown {
                    kernel: kernel.to_string(),
                    knob: name.to_string(),
                    valid: specs
                        .iter()
                        .map(|s| {
                            format!(
                                "{} ({}, default {}) — {}",
                                s.name,
                                s.range_text(),
                                s.default_value(),
                                s.doc
                            )
                        })
                        .collect(),
                })?;
            values.values.insert(spec.name, spec.parse(text)?);
        }
        Ok(values)
    }

    /// Every knob and its value, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, KnobValue)> + '_ {
        self.values.iter().map(|(k, v)| (*k, v.clone()))
    }

    fn get(&self, name: &str) -> &KnobValue {
        match self.values.get(name) {
            Some(v) => v,
            // A kernel asking for a knob it did not declare is a bug in the kernel, caught by
            // the registry test that builds every kernel's config from its defaults.
            None => panic!("kernel bug: knob `{name}` is not declared"),
        }
    }

    /// An integer knob's value.
    pub fn int(&self, name: &str) -> i64 {
        match self.get(name) {
            KnobValue::Int(v) => *v,
            other => panic!("kernel bug: knob `{name}` is {other:?}, not an integer"),
        }
    }

    /// An integer knob's value as `usize` (its declared range must be non-negative).
    pub fn usize(&self, name: &str) -> usize {
        usize::try_from(self.int(name)).unwrap_or(0)
    }

    /// A real knob's value.
    pub fn float(&self, name: &str) -> f64 {
        match self.get(name) {
            KnobValue::Float(v) => *v,
            other => panic!("kernel bug: knob `{name}` is {other:?}, not a number"),
        }
    }

    /// A boolean knob's value.
    pub fn bool(&self, name: &str) -> bool {
        match self.get(name) {
            KnobValue::Bool(v) => *v,
            other => panic!("kernel bug: knob `{name}` is {other:?}, not a boolean"),
        }
    }

    /// A text knob's value.
    pub fn text(&self, name: &str) -> &str {
        match self.get(name) {
            KnobValue::Text(v) => v,
            other => panic!("kernel bug: knob `{name}` is {other:?}, not text"),
        }
    }

    /// A choice knob's value.
    pub fn choice(&self, name: &str) -> &'static str {
        match self.get(name) {
            KnobValue::Choice(v) => v,
            other => panic!("kernel bug: knob `{name}` is {other:?}, not a choice"),
        }
    }
}
