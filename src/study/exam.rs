//! A timed mock exam: questions drawn across the bank, a countdown, answers that can be changed
//! and flagged until submitted, no feedback until the end, and submission when time runs out.

use super::pick::{QuestionRef, exam_draw};
use super::records::{AnswerRecord, ExamItemRecord, ExamRecord, Mode, QuestionKey, Timestamp};
use super::shuffle::{Shuffled, rng};
use crate::content::Library;

/// The real exam: about 100 questions in 120 minutes.
pub const DEFAULT_QUESTIONS: usize = 100;
/// … which is 72 s per question; shorter exams keep this pace.
pub const MS_PER_QUESTION: i64 = 72_000;
/// The longest exam accepted, in minutes.
pub const MAX_MINUTES: f64 = 24.0 * 60.0;

/// How many questions and how much time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExamPlan {
    pub questions: usize,
    pub allowed_ms: i64,
    pub seed: u64,
}

impl ExamPlan {
    /// `questions` (default 100, at most the bank) in `minutes` (default: 72 s per question).
    pub fn new(
        bank: usize,
        questions: Option<usize>,
        minutes: Option<f64>,
        seed: u64,
    ) -> Result<Self, String> {
        if bank == 0 {
            return Err("the question bank is empty: there is nothing to examine".into());
        }
        let n = questions.unwrap_or(DEFAULT_QUESTIONS);
        if n == 0 {
            return Err("--questions must be at least 1".into());
        }
        let n = n.min(bank);
        let allowed_ms = match minutes {
            Some(m) if m.is_finite() && m > 0.0 && m <= MAX_MINUTES => (m * 60_000.0) as i64,
            Some(m) => {
                return Err(format!(
                    "--minutes {m} is out of range: give a number of minutes above 0 and at most {MAX_MINUTES}"
                ));
            }
            None => MS_PER_QUESTION * n as i64,
        };
        Ok(Self {
            questions: n,
            allowed_ms,
            seed,
        })
    }
}

/// One question of a running exam.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamItem {
    pub item: QuestionRef,
    pub shuffled: Shuffled,
    /// The chosen position, as shown.
    pub chosen: Option<usize>,
    pub flagged: bool,
    /// Time spent on this question so far.
    pub spent_ms: i64,
}

/// A mock exam from start to result.
#[derive(Debug, Clone, PartialEq)]
pub struct Exam {
    pub items: Vec<ExamItem>,
    /// The question on screen.
    pub current: usize,
    pub started: Timestamp,
    pub allowed_ms: i64,
    pub seed: u64,
    /// When the current question was opened (for the time spent on it).
    viewing_since: Timestamp,
    /// Set once submitted.
    pub result: Option<ExamRecord>,
}

impl Exam {
    /// Draws the questions of `plan` and starts the clock at `now`.
    pub fn start(lib: &Library, plan: &ExamPlan, now: Timestamp) -> Self {
        let mut r = rng(plan.seed);
        let drawn = exam_draw(lib, plan.questions, &mut r);
        let items = drawn
            .into_iter()
            .filter_map(|item| {
                let (_, q) = item.get(lib)?;
                Some(ExamItem {
                    item,
                    shuffled: Shuffled::new(q.choices.len(), &mut r),
                    chosen: None,
                    flagged: false,
                    spent_ms: 0,
                })
            })
            .collect();
        Self {
            items,
            current: 0,
            started: now,
            allowed_ms: plan.allowed_ms,
            seed: plan.seed,
            viewing_since: now,
            result: None,
        }
    }

    /// Milliseconds left (0 when time is up).
    pub fn remaining_ms(&self, now: Timestamp) -> i64 {
        (self.started + self.allowed_ms - now).max(0)
    }

    pub fn is_submitted(&self) -> bool {
        self.result.is_some()
    }

    /// Number of questions answered so far.
    pub fn answered(&self) -> usize {
        self.items.iter().filter(|i| i.chosen.is_some()).count()
    }

    /// Chooses the option shown at `shown` for the current question (changeable until submitted).
    pub fn choose(&mut self, shown: usize) {
        if self.is_submitted() {
            return;
        }
        if let Some(it) = self.items.get_mut(self.current)
            && shown < it.shuffled.order.len()
        {
            it.chosen = Some(shown);
        }
    }

    /// Clears the current question's answer.
    pub fn clear(&mut self) {
        if !self.is_submitted()
            && let Some(it) = self.items.get_mut(self.current)
        {
            it.chosen = None;
        }
    }

    /// Flags or unflags the current question for a second look.
    pub fn toggle_flag(&mut self) {
        if !self.is_submitted()
            && let Some(it) = self.items.get_mut(self.current)
        {
            it.flagged = !it.flagged;
        }
    }

    /// Shows question `i` (clamped), counting the time spent on the one left.
    pub fn go_to(&mut self, i: usize, now: Timestamp) {
        if self.items.is_empty() {
            return;
        }
        self.account(now);
        self.current = i.min(self.items.len() - 1);
    }

    fn account(&mut self, now: Timestamp) {
        if let Some(it) = self.items.get_mut(self.current) {
            it.spent_ms += (now - self.viewing_since).max(0);
        }
        self.viewing_since = now;
    }

    /// Submits the exam when its time is up; returns whether it did.
    pub fn tick(&mut self, lib: &Library, now: Timestamp) -> bool {
        if !self.is_submitted() && self.remaining_ms(now) == 0 {
            self.submit(lib, now, true);
            return true;
        }
        false
    }

    /// Ends the exam and scores it.
    pub fn submit(&mut self, lib: &Library, now: Timestamp, timed_out: bool) -> &ExamRecord {
        if self.result.is_none() {
            let now = now.min(self.started + self.allowed_ms);
            self.account(now);
            let items = self
                .items
                .iter()
                .filter_map(|it| item_record(lib, it))
                .collect();
            self.result = Some(ExamRecord {
                started: self.started,
                used_ms: (now - self.started).max(0),
                allowed_ms: self.allowed_ms,
                seed: self.seed,
                timed_out,
                items,
            });
        }
        self.result.as_ref().expect("set above")
    }

    /// Every answered question as an answer record (exam answers do not move the schedule).
    pub fn answer_records(&self, lib: &Library) -> Vec<AnswerRecord> {
        let Some(result) = &self.result else {
            return Vec::new();
        };
        let mut at = self.started;
        self.items
            .iter()
            .zip(&result.items)
            .filter(|(it, _)| it.chosen.is_some())
            .filter_map(|(it, rec)| {
                it.item.get(lib)?;
                at += it.spent_ms;
                Some(AnswerRecord {
                    key: rec.key.clone(),
                    at: at.min(self.started + result.used_ms),
                    took_ms: it.spent_ms,
                    correct: rec.correct,
                    rating: None,
                    mode: Mode::Exam,
                })
            })
            .collect()
    }
}

fn item_record(lib: &Library, it: &ExamItem) -> Option<ExamItemRecord> {
    let (entry, q) = it.item.get(lib)?;
    let chosen = it.chosen.and_then(|s| it.shuffled.written(s));
    Some(ExamItemRecord {
        key: QuestionKey::new(&entry.lesson.id, &q.id),
        chapter: entry.lesson.chapter.clone(),
        area: entry.lesson.area_of(q).to_string(),
        chosen,
        correct: chosen.is_some() && chosen == q.answer.checked_sub(1),
        flagged: it.flagged,
    })
}
