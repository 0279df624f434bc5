//! Learner settings, kept as text in the store's `settings` table and validated here.

use super::schedule::{DEFAULT_RETENTION, RETENTION_RANGE};
use super::store::Store;

/// The number of new cards per day when the learner has not set one.
pub const DEFAULT_DAILY_NEW: usize = 20;
/// The largest accepted `daily_new`.
pub const MAX_DAILY_NEW: usize = 500;

/// The settings a learner can change, with a one-line description each.
pub const KEYS: [(&str, &str); 2] = [
    (
        "retention",
        "desired recall probability of reviewed cards (0.70 to 0.99; higher = more reviews)",
    ),
    (
        "daily_new",
        "new (never answered) questions added to a review session per day (0 to 500)",
    ),
];

/// The learner's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Desired retention for the FSRS scheduler, within [`RETENTION_RANGE`].
    pub retention: f32,
    /// New cards per day in review, `0 ..= MAX_DAILY_NEW`.
    pub daily_new: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            retention: DEFAULT_RETENTION,
            daily_new: DEFAULT_DAILY_NEW,
        }
    }
}

impl Settings {
    /// The value of setting `key` as text, or `None` for an unknown key.
    pub fn get(&self, key: &str) -> Option<String> {
        match key {
            "retention" => Some(format!("{}", self.retention)),
            "daily_new" => Some(self.daily_new.to_string()),
            _ => None,
        }
    }
}

/// The settings stored in `store`; a missing value takes its default, and an invalid or
/// unreadable one its default plus a warning (one line).
pub fn load(store: &Store) -> (Settings, Vec<String>) {
    let mut s = Settings::default();
    let mut warnings = Vec::new();
    for (key, _) in KEYS {
        let stored = match store.setting(key) {
            Ok(v) => v,
            Err(e) => {
                warnings.push(format!(
                    "cannot read setting `{key}`: {e}; using the default"
                ));
                None
            }
        };
        let Some(text) = stored else { continue };
        let applied = match key {
            "retention" => parse_retention(&text).map(|v| s.retention = v),
            _ => parse_daily_new(&text).map(|v| s.daily_new = v),
        };
        if let Err(e) = applied {
            let default = Settings::default().get(key).unwrap_or_default();
            warnings.push(format!(
                "stored setting `{key}` is invalid ({e}); using the default {default}"
            ));
        }
    }
    (s, warnings)
}

/// Validates and stores setting `key`; the error says what is accepted.
pub fn set(store: &Store, key: &str, value: &str) -> Result<(), String> {
    let value = value.trim();
    let canonical = match key {
        "retention" => parse_retention(value)?.to_string(),
        "daily_new" => parse_daily_new(value)?.to_string(),
        _ => {
            let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
            return Err(format!(
                "unknown setting `{key}`: the settings are {}",
                known.join(", ")
            ));
        }
    };
    store
        .set_setting(key, &canonical)
        .map_err(|e| e.to_string())
}

/// Parses a desired retention, checked against [`RETENTION_RANGE`].
pub fn parse_retention(text: &str) -> Result<f32, String> {
    let v: f32 = text
        .trim()
        .parse()
        .map_err(|_| format!("retention must be a number such as 0.9, not {text:?}"))?;
    if !RETENTION_RANGE.contains(&v) {
        return Err(format!(
            "retention {v} is out of range: use a value from {} to {}",
            RETENTION_RANGE.start(),
            RETENTION_RANGE.end()
        ));
    }
    Ok(v)
}

/// Parses a number of new cards per day, `0 ..= MAX_DAILY_NEW`.
pub fn parse_daily_new(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(v) if v <= MAX_DAILY_NEW => Ok(v),
        _ => Err(format!(
            "daily_new must be a whole number from 0 to {MAX_DAILY_NEW}, not {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_nothing_is_stored() {
        let (s, w) = load(&Store::in_memory());
        assert_eq!(s, Settings::default());
        assert!(w.is_empty());
    }

    #[test]
    fn set_then_load() {
        let store = Store::in_memory();
        set(&store, "retention", "0.85").unwrap();
        set(&store, "daily_new", " 5 ").unwrap();
        let (s, w) = load(&store);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.retention, 0.85);
        assert_eq!(s.daily_new, 5);
        assert_eq!(s.get("daily_new").as_deref(), Some("5"));
    }

    #[test]
    fn invalid_values_are_refused_with_the_range() {
        let store = Store::in_memory();
        let e = set(&store, "retention", "1.5").unwrap_err();
        assert!(e.contains("0.7 to 0.99"), "{e}");
        assert!(
            set(&store, "retention", "abc")
                .unwrap_err()
                .contains("number")
        );
        let e = set(&store, "daily_new", "501").unwrap_err();
        assert!(e.contains("0 to 500"), "{e}");
        assert!(set(&store, "daily_new", "-1").is_err());
        let e = set(&store, "colour", "red").unwrap_err();
        assert!(e.contains("retention, daily_new"), "{e}");
        assert_eq!(store.setting("retention").unwrap(), None);
    }

    #[test]
    fn bad_stored_values_fall_back_with_a_warning() {
        let store = Store::in_memory();
        store.set_setting("retention", "2").unwrap();
        store.set_setting("daily_new", "many").unwrap();
        let (s, w) = load(&store);
        assert_eq!(s, Settings::default());
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].contains("retention") && w[0].contains("default 0.9"),
            "{}",
            w[0]
        );
    }
}
