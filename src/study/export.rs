//! The progress export format: one JSON document holding everything the store keeps.
//!
//! Written by `eshikaku progress export`, read by `eshikaku progress import`; every field is
//! described in `docs/progress-format.md`.

use super::records::{AnswerRecord, CardState, ExamRecord, KernelRunRecord, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The value of [`Export::format`].
pub const FORMAT: &str = "eshikaku-progress";
/// The export format version this build writes and the newest it reads.
pub const VERSION: u32 = 1;

/// Everything in the progress store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written by this build.
    pub version: u32,
    pub exported_at: Timestamp,
    /// Every answer, oldest first.
    pub answers: Vec<AnswerRecord>,
    /// The review state of every question answered at least once.
    pub cards: Vec<CardState>,
    /// Every finished mock exam, oldest first.
    pub exams: Vec<ExamRecord>,
    /// When each lesson was last opened.
    pub lessons_opened: Vec<LessonOpened>,
    /// Every finished kernel run, oldest first.
    pub kernel_runs: Vec<KernelRunRecord>,
    /// Learner settings (`retention`, `daily_new`, …) as text.
    pub settings: BTreeMap<String, String>,
}

/// A lesson and when it was last opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonOpened {
    pub lesson: String,
    pub at: Timestamp,
}

/// How many rows an import added or changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub answers: usize,
    /// Cards added, or replaced by a more recently reviewed card.
    pub cards: usize,
    pub exams: usize,
    /// Lessons added, or whose last-opened time moved later.
    pub lessons_opened: usize,
    pub kernel_runs: usize,
    /// Settings added (settings already set here are kept).
    pub settings: usize,
}

impl ImportSummary {
    /// Total rows added or changed.
    pub fn total(&self) -> usize {
        self.answers
            + self.cards
            + self.exams
            + self.lessons_opened
            + self.kernel_runs
            + self.settings
    }
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} answers, {} cards, {} exams, {} lessons opened, {} kernel runs, {} settings",
            self.answers,
            self.cards,
            self.exams,
            self.lessons_opened,
            self.kernel_runs,
            self.settings
        )
    }
}

impl Export {
    /// Checks that this is a progress export this build can read.
    pub fn check(&self) -> Result<(), String> {
        check_header(&self.format, u64::from(self.version))
    }

    /// Parses an export from JSON, checking `format` and `version` before the rest so a file
    /// of another kind gets a clear message rather than a missing-field error.
    pub fn from_json(text: &str) -> Result<Export, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
        let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        check_header(format, version)?;
        serde_json::from_value(value).map_err(|e| format!("not a valid progress export: {e}"))
    }
}

fn check_header(format: &str, version: u64) -> Result<(), String> {
    if format != FORMAT {
        return Err(format!(
            "not an eshikaku progress export: `format` is {format:?}, expected {FORMAT:?}"
        ));
    }
    if version == 0 || version > u64::from(VERSION) {
        return Err(format!(
            "progress export version {version} is not supported: this build reads versions 1 to \
             {VERSION}; update eshikaku to import it"
        ));
    }
    Ok(())
}
