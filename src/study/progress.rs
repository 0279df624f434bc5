//! Saved progress as the app and the commands see it: what the store held at start plus what
//! happened since, kept in memory so that statistics, due counts and home marks are current
//! even when saving fails.

use super::records::{AnswerRecord, CardState, KernelRunRecord, Mode, QuestionKey, Timestamp};
use super::schedule::{DEFAULT_RETENTION, Scheduler};
use super::settings::Settings;
use super::stats::{Stats, StoreData, compute};
use crate::content::Library;
use std::collections::HashMap;

/// Saved progress as the app sees it: what the store held at start plus what happened since.
pub struct StudyState {
    pub data: StoreData,
    pub cards: HashMap<QuestionKey, CardState>,
    pub sched: Scheduler,
    pub settings: Settings,
    /// Statistics of `data`, recomputed after every change.
    pub stats: Option<Stats>,
    /// Answers that could not be saved (they are kept in memory).
    pub unsaved: usize,
    /// Why progress is not being saved, if it is not.
    pub store_warning: Option<String>,
}

impl Default for StudyState {
    fn default() -> Self {
        Self::new(StoreData::default(), Settings::default())
    }
}

impl StudyState {
    pub fn new(data: StoreData, settings: Settings) -> Self {
        let sched = Scheduler::new(settings.retention)
            .or_else(|_| Scheduler::new(DEFAULT_RETENTION))
            .expect("the default retention is valid");
        let cards = data
            .cards
            .iter()
            .map(|c| (c.key.clone(), c.clone()))
            .collect();
        Self {
            data,
            cards,
            sched,
            settings,
            stats: None,
            unsaved: 0,
            store_warning: None,
        }
    }

    /// Recomputes the statistics (home marks, due count) for `lib` at `now`.
    pub fn refresh(&mut self, lib: &Library, now: Timestamp) {
        self.stats = Some(compute(lib, &self.data, &self.sched, now));
    }

    pub fn lesson_opened(&mut self, id: &str, at: Timestamp) {
        match self.data.lessons_opened.iter_mut().find(|(l, _)| l == id) {
            Some(entry) => entry.1 = at,
            None => self.data.lessons_opened.push((id.to_string(), at)),
        }
    }

    pub fn kernel_ran(&mut self, record: &KernelRunRecord) {
        self.data.kernel_runs.push(record.clone());
    }

    pub fn answered(&mut self, a: &AnswerRecord, card: Option<&CardState>) {
        self.data.answers.push(a.clone());
        if let Some(c) = card {
            self.cards.insert(c.key.clone(), c.clone());
            match self.data.cards.iter_mut().find(|k| k.key == c.key) {
                Some(k) => *k = c.clone(),
                None => self.data.cards.push(c.clone()),
            }
        }
    }

    /// New questions the review may still introduce today.
    pub fn new_left_today(&self, now: Timestamp) -> usize {
        let today = super::clock::day_of(now);
        let mut first_seen: HashMap<&QuestionKey, Timestamp> = HashMap::new();
        for a in self.data.answers.iter().filter(|a| a.mode != Mode::Exam) {
            first_seen.entry(&a.key).or_insert(a.at);
        }
        let new_today = first_seen
            .values()
            .filter(|&&at| super::clock::day_of(at) == today)
            .count();
        self.settings.daily_new.saturating_sub(new_today)
    }
}
