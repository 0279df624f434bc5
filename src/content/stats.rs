//! Question-bank figures per lesson: how many questions of each kind, and two give-away
//! measures `eshikaku lessons check` warns about.

use super::model::{CodeLang, Lesson, Question};
use unicode_width::UnicodeWidthStr;

/// Above this share of four-choice questions whose key is the uniquely longest option, the
/// length of the options gives the answer away.
pub const LONGEST_LIMIT: f64 = 0.40;
/// Above this share of keys at one answer position, guessing that position pays.
pub const POSITION_LIMIT: f64 = 0.35;

/// Fewer four-choice questions than this give no warnings.
pub const MIN_FOR_WARNINGS: usize = 4;

/// The figures of one lesson's questions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuestionStats {
    pub total: usize,
    /// Questions with exactly four choices.
    pub four_choice: usize,
    /// Code-fill questions cut from a kernel source (`file` + `marker`).
    pub rust_code: usize,
    /// Code-fill questions written in the lesson with `lang: python`.
    pub python_code: usize,
    /// Code-fill questions written in the lesson in another language (e.g. a Dockerfile).
    pub other_code: usize,
    /// Share of four-choice questions whose key is the uniquely longest option (display width).
    pub longest_share: f64,
    /// The largest share of four-choice keys at one answer position.
    pub max_position_share: f64,
    /// That position (1-based).
    pub max_position: usize,
}

impl QuestionStats {
    /// The figures of `lesson`.
    pub fn of(lesson: &Lesson) -> Self {
        let mut s = Self {
            total: lesson.questions.len(),
            ..Self::default()
        };
        let mut positions = [0usize; 4];
        let mut longest = 0;
        for q in &lesson.questions {
            if let Some(c) = &q.code {
                if c.file.is_some() {
                    s.rust_code += 1;
                } else if c.lang == CodeLang::Python {
                    s.python_code += 1;
                } else {
                    s.other_code += 1;
                }
            }
            if q.choices.len() != 4 || !(1..=4).contains(&q.answer) {
                continue;
            }
            s.four_choice += 1;
            positions[q.answer - 1] += 1;
            if key_is_uniquely_longest(q) {
                longest += 1;
            }
        }
        if s.four_choice > 0 {
            let n = s.four_choice as f64;
            s.longest_share = longest as f64 / n;
            let (pos, max) = positions
                .iter()
                .enumerate()
                .max_by_key(|(i, c)| (**c, usize::MAX - i))
                .map_or((0, 0), |(i, c)| (i + 1, *c));
            s.max_position = pos;
            s.max_position_share = max as f64 / n;
        }
        s
    }

    /// `warning:` messages for the figures above the limits (none below
    /// [`MIN_FOR_WARNINGS`] four-choice questions, where shares mean little).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.four_choice < MIN_FOR_WARNINGS {
            return out;
        }
        if self.longest_share > LONGEST_LIMIT {
            out.push(format!(
                "the key is the uniquely longest option in {:.0}% of the four-choice questions (limit {:.0}%): make distractors as long and specific as the key",
                self.longest_share * 100.0,
                LONGEST_LIMIT * 100.0
            ));
        }
        if self.max_position_share > POSITION_LIMIT {
            out.push(format!(
                "{:.0}% of the keys are at position {} (limit {:.0}%): rotate the answer positions",
                self.max_position_share * 100.0,
                self.max_position,
                POSITION_LIMIT * 100.0
            ));
        }
        out
    }
}

/// Whether the correct option is longer (in terminal columns) than every other option.
pub fn key_is_uniquely_longest(q: &Question) -> bool {
    let Some(key) = q.answer.checked_sub(1).and_then(|i| q.choices.get(i)) else {
        return false;
    };
    let w = key.width();
    q.choices
        .iter()
        .enumerate()
        .all(|(i, c)| i + 1 == q.answer || c.width() < w)
}
