//! Statistics of saved progress against the current lessons: what is due, what is mastered,
//! accuracy per chapter and lesson, a calendar of study days, the review forecast and the
//! exam history. The JSON of [`Stats`] is `eshikaku stats --json`.
//!
//! Records whose lesson or question no longer exists in the library are ignored (they stay in
//! the store, so they count again if the content comes back).

pub mod display;

use super::clock::day_of;
use super::records::{
    AnswerRecord, CardState, ExamRecord, KernelRunRecord, QuestionKey, Score, Timestamp,
};
use super::schedule::{MASTERY_RETRIEVABILITY, Scheduler, is_due};
use super::store::{Store, StoreError};
use crate::content::Library;
use crate::content::check::LessonEntry;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Weeks of study days in [`Stats::calendar`] (the current week included).
pub const CALENDAR_WEEKS: usize = 16;
/// Days in [`Stats::forecast`] (today first).
pub const FORECAST_DAYS: usize = 14;

/// Everything the store holds, loaded once.
#[derive(Debug, Clone, Default)]
pub struct StoreData {
    pub cards: Vec<CardState>,
    pub answers: Vec<AnswerRecord>,
    pub exams: Vec<ExamRecord>,
    pub lessons_opened: Vec<(String, Timestamp)>,
    pub kernel_runs: Vec<KernelRunRecord>,
}

impl StoreData {
    /// Reads every record of `store`.
    pub fn load(store: &Store) -> Result<StoreData, StoreError> {
        Ok(StoreData {
            cards: store.cards()?,
            answers: store.answers()?,
            exams: store.exams()?,
            lessons_opened: store.lessons_opened()?,
            kernel_runs: store.kernel_runs()?,
        })
    }
}

/// The statistics shown by `eshikaku stats` and the TUI's stats screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// The learner's date today, `YYYY-MM-DD`.
    pub today: String,
    /// Questions in the library.
    pub questions: usize,
    /// Cards due today (overdue included), for questions that exist.
    pub due_today: usize,
    /// Questions never answered.
    pub new_count: usize,
    /// Totals over all lessons.
    pub total: GroupStats,
    /// Per chapter, in teaching order (chapters without lessons are left out).
    pub chapters: Vec<GroupStats>,
    /// Per lesson, in teaching order.
    pub lessons: Vec<LessonStats>,
    /// One entry per day of the last [`CALENDAR_WEEKS`] weeks, Monday first, oldest first,
    /// ending today.
    pub calendar: Vec<StudyDay>,
    /// Cards due on each of the next [`FORECAST_DAYS`] days; today includes overdue cards.
    pub forecast: Vec<ForecastDay>,
    /// Finished mock exams, oldest first.
    pub exams: Vec<ExamSummary>,
}

/// Counts for a group of questions (a chapter, a lesson, or all).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStats {
    /// Chapter or lesson id (`all` for the totals).
    pub id: String,
    /// Questions in the bank.
    pub questions: usize,
    /// Distinct questions answered at least once.
    pub seen: usize,
    pub answers: usize,
    pub correct: usize,
    /// `correct / answers`, or `None` before the first answer.
    pub accuracy: Option<f64>,
    /// Questions whose card's recall probability is at least the mastery threshold.
    pub mastered: usize,
    /// `mastered / questions` (0 for an empty bank).
    pub mastery: f64,
    /// Mean answer time in milliseconds, or `None` before the first answer.
    pub avg_ms: Option<i64>,
}

/// A lesson's counts plus what else the learner did with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LessonStats {
    /// The lesson's chapter id.
    pub chapter: String,
    #[serde(flatten)]
    pub counts: GroupStats,
    /// Opened at least once.
    pub read: bool,
    /// The lesson's kernel id, if it has one.
    pub kernel: Option<String>,
    /// Whether the latest run of the lesson's kernel passed (`None`: no kernel, or never run).
    pub kernel_passed: Option<bool>,
}

/// Answers given on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudyDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    pub answers: usize,
    pub correct: usize,
}

/// Cards due on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForecastDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub due: usize,
}

/// One finished mock exam.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExamSummary {
    pub started: Timestamp,
    /// The learner's date of `started`, `YYYY-MM-DD`.
    pub date: String,
    pub questions: usize,
    pub correct: usize,
    pub used_ms: i64,
    pub allowed_ms: i64,
    pub timed_out: bool,
    pub by_chapter: Vec<Score>,
    pub by_area: Vec<Score>,
}

/// Running totals for a group.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    questions: usize,
    seen: usize,
    answers: usize,
    correct: usize,
    mastered: usize,
    total_ms: i64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.questions += o.questions;
        self.seen += o.seen;
        self.answers += o.answers;
        self.correct += o.correct;
        self.mastered += o.mastered;
        self.total_ms += o.total_ms;
    }

    fn finish(&self, id: &str) -> GroupStats {
        let per_answer = |x: f64| (self.answers > 0).then(|| x / self.answers as f64);
        GroupStats {
            id: id.to_string(),
            questions: self.questions,
            seen: self.seen,
            answers: self.answers,
            correct: self.correct,
            accuracy: per_answer(self.correct as f64),
            mastered: self.mastered,
            mastery: if self.questions == 0 {
                0.0
            } else {
                self.mastered as f64 / self.questions as f64
            },
            avg_ms: per_answer(self.total_ms as f64).map(|m| m.round() as i64),
        }
    }
}

/// The records of `data` indexed for lookups, keeping only questions that exist.
struct Index<'a> {
    answers: HashMap<&'a QuestionKey, Vec<&'a AnswerRecord>>,
    cards: HashMap<&'a QuestionKey, &'a CardState>,
    opened: HashSet<&'a str>,
    /// Kernel id → passed, of its latest run.
    kernels: HashMap<&'a str, bool>,
}

impl<'a> Index<'a> {
    fn new(lib: &Library, data: &'a StoreData) -> Self {
        let exists = |k: &QuestionKey| {
            lib.lesson(&k.lesson)
                .is_some_and(|l| l.lesson.questions.iter().any(|q| q.id == k.question))
        };
        let mut answers: HashMap<_, Vec<_>> = HashMap::new();
        for a in data.answers.iter().filter(|a| exists(&a.key)) {
            answers.entry(&a.key).or_default().push(a);
        }
        let mut latest: HashMap<&str, (Timestamp, bool)> = HashMap::new();
        for r in &data.kernel_runs {
            let e = latest.entry(r.kernel.as_str()).or_insert((r.at, r.passed));
            if r.at >= e.0 {
                *e = (r.at, r.passed);
            }
        }
        Index {
            answers,
            cards: data
                .cards
                .iter()
                .filter(|c| exists(&c.key))
                .map(|c| (&c.key, c))
                .collect(),
            opened: data
                .lessons_opened
                .iter()
                .map(|(l, _)| l.as_str())
                .collect(),
            kernels: latest.into_iter().map(|(k, (_, p))| (k, p)).collect(),
        }
    }
}

/// Computes the statistics of `data` against `lib` at `now`.
pub fn compute(lib: &Library, data: &StoreData, sched: &Scheduler, now: Timestamp) -> Stats {
    let index = Index::new(lib, data);
    let mut total = Tally::default();
    let mut per_chapter: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut lessons = Vec::new();
    for entry in &lib.lessons {
        let tally = lesson_tally(entry, &index, sched, now);
        total.add(&tally);
        per_chapter
            .entry(entry.lesson.chapter.as_str())
            .or_default()
            .add(&tally);
        lessons.push(lesson_stats(entry, &tally, &index));
    }
    let chapters = lib
        .chapters
        .iter()
        .filter_map(|c| per_chapter.get(c.id.as_str()).map(|t| t.finish(&c.id)))
        .collect();
    let cards: Vec<&CardState> = index.cards.values().copied().collect();
    Stats {
        today: day_of(now).to_string(),
        questions: lib.question_count(),
        due_today: cards.iter().filter(|c| is_due(c, now)).count(),
        new_count: total.questions - total.seen,
        total: total.finish("all"),
        chapters,
        lessons,
        calendar: calendar(&index, now),
        forecast: forecast(&cards, now),
        exams: data.exams.iter().map(exam_summary).collect(),
    }
}

/// The counts of one lesson.
fn lesson_tally(entry: &LessonEntry, index: &Index, sched: &Scheduler, now: Timestamp) -> Tally {
    let mut t = Tally::default();
    for q in &entry.lesson.questions {
        let key = QuestionKey::new(&entry.lesson.id, &q.id);
        t.questions += 1;
        if let Some(answers) = index.answers.get(&key) {
            t.seen += 1;
            t.answers += answers.len();
            t.correct += answers.iter().filter(|a| a.correct).count();
            t.total_ms += answers.iter().map(|a| a.took_ms.max(0)).sum::<i64>();
        }
        if let Some(card) = index.cards.get(&key)
            && sched.retrievability(card, now) >= MASTERY_RETRIEVABILITY
        {
            t.mastered += 1;
        }
    }
    t
}

fn lesson_stats(entry: &LessonEntry, tally: &Tally, index: &Index) -> LessonStats {
    let l = &entry.lesson;
    let kernel = l.kernel.as_ref().map(|k| k.id.clone());
    LessonStats {
        chapter: l.chapter.clone(),
        counts: tally.finish(&l.id),
        read: index.opened.contains(l.id.as_str()),
        kernel_passed: kernel
            .as_deref()
            .and_then(|k| index.kernels.get(k).copied()),
        kernel,
    }
}

/// Study days from the Monday [`CALENDAR_WEEKS`]` − 1` weeks before this week's, to today.
fn calendar(index: &Index, now: Timestamp) -> Vec<StudyDay> {
    let today = day_of(now);
    let back = i64::from(today.weekday().to_monday_zero_offset()) + 7 * (CALENDAR_WEEKS as i64 - 1);
    let start = today
        .checked_sub(jiff::Span::new().days(back))
        .unwrap_or(today);
    let mut counts: HashMap<Date, (usize, usize)> = HashMap::new();
    for a in index.answers.values().flatten() {
        let c = counts.entry(day_of(a.at)).or_default();
        c.0 += 1;
        c.1 += usize::from(a.correct);
    }
    days_from(start)
        .take_while(|d| *d <= today)
        .map(|d| {
            let (answers, correct) = counts.get(&d).copied().unwrap_or_default();
            StudyDay {
                date: d.to_string(),
                weekday: d.weekday().to_monday_one_offset() as u8,
                answers,
                correct,
            }
        })
        .collect()
}

/// Cards due per day for [`FORECAST_DAYS`] days from today (today includes overdue).
fn forecast(cards: &[&CardState], now: Timestamp) -> Vec<ForecastDay> {
    let days: Vec<Date> = days_from(day_of(now)).take(FORECAST_DAYS).collect();
    let mut due = vec![0; days.len()];
    for c in cards {
        let d = day_of(c.due);
        if let Some(i) = days.iter().position(|x| *x == d) {
            due[i] += 1;
        } else if days.first().is_some_and(|t| d < *t) {
            due[0] += 1;
        }
    }
    days.iter()
        .zip(due)
        .map(|(d, due)| ForecastDay {
            date: d.to_string(),
            due,
        })
        .collect()
}

/// Consecutive dates from `start`.
fn days_from(start: Date) -> impl Iterator<Item = Date> {
    std::iter::successors(Some(start), |d| d.tomorrow().ok())
}

fn exam_summary(e: &ExamRecord) -> ExamSummary {
    ExamSummary {
        started: e.started,
        date: day_of(e.started).to_string(),
        questions: e.items.len(),
        correct: e.correct(),
        used_ms: e.used_ms,
        allowed_ms: e.allowed_ms,
        timed_out: e.timed_out,
        by_chapter: e.by_chapter(),
        by_area: e.by_area(),
    }
}

#[cfg(test)]
mod tests;
