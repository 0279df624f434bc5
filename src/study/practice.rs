//! A practice or review round: questions one at a time, choices shuffled at every
//! presentation, feedback after each answer, and wrong ones coming back at the end.
//!
//! Only the first presentation of a question in a round moves its FSRS card (a repeat within
//! the same round would only measure short-term memory); repeats are still recorded as answers.

use super::pick::QuestionRef;
use super::records::{AnswerRecord, CardState, Mode, QuestionKey, Rating, Timestamp};
use super::schedule::{Scheduler, rating_for};
use super::shuffle::{Shuffled, rng};
use crate::content::Library;
use rand::rngs::StdRng;
use std::collections::{HashMap, VecDeque};

/// A question on screen, waiting for an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentation {
    pub item: QuestionRef,
    pub shuffled: Shuffled,
    pub shown_at: Timestamp,
    /// 0 for the first presentation in this round, 1 for the first repeat, …
    pub attempt: u32,
}

/// What the learner is told after answering, and what will be saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub item: QuestionRef,
    pub shuffled: Shuffled,
    /// The position the learner chose, as shown.
    pub chosen_shown: usize,
    pub correct: bool,
    /// The position of the correct choice, as shown.
    pub correct_shown: usize,
    pub answer: AnswerRecord,
    /// The card before this answer (to recompute it when the rating is overridden).
    prev_card: Option<CardState>,
    /// The card after this answer; `None` when the answer does not move the schedule.
    pub card: Option<CardState>,
    /// Whether the answer has been handed out for saving.
    pub saved: bool,
}

/// A round of questions.
#[derive(Debug)]
pub struct Round {
    pub mode: Mode,
    queue: VecDeque<(QuestionRef, u32)>,
    rng: StdRng,
    pub current: Option<Presentation>,
    /// Feedback on the question just answered (until [`Round::next`]).
    pub feedback: Option<Feedback>,
    /// Distinct questions in the round.
    pub total: usize,
    /// Questions answered at their first presentation.
    pub answered: usize,
    /// … and how many of those were right.
    pub correct_first_try: usize,
}

impl Round {
    /// A round over `items` (asked in this order), choices shuffled from `seed`; the first
    /// question is presented at `now`.
    pub fn new(
        mode: Mode,
        items: Vec<QuestionRef>,
        seed: u64,
        lib: &Library,
        now: Timestamp,
    ) -> Self {
        let total = items.len();
        let mut round = Self {
            mode,
            queue: items.into_iter().map(|i| (i, 0)).collect(),
            rng: rng(seed),
            current: None,
            feedback: None,
            total,
            answered: 0,
            correct_first_try: 0,
        };
        round.present(lib, now);
        round
    }

    fn present(&mut self, lib: &Library, now: Timestamp) {
        self.current = None;
        while let Some((item, attempt)) = self.queue.pop_front() {
            let Some((_, q)) = item.get(lib) else {
                continue;
            };
            self.current = Some(Presentation {
                item,
                shuffled: Shuffled::new(q.choices.len(), &mut self.rng),
                shown_at: now,
                attempt,
            });
            return;
        }
    }

    /// Answers the current question with the choice shown at position `shown` (0-based).
    /// Returns `None` if nothing is asked or `shown` is not a choice.
    pub fn answer(
        &mut self,
        lib: &Library,
        shown: usize,
        now: Timestamp,
        sched: &Scheduler,
        cards: &HashMap<QuestionKey, CardState>,
    ) -> Option<&Feedback> {
        let p = self.current.as_ref()?;
        let (entry, q) = p.item.get(lib)?;
        let written = p.shuffled.written(shown)?;
        let key_written = q.answer.checked_sub(1)?;
        let correct_shown = p.shuffled.shown(key_written)?;
        let correct = written == key_written;
        let took_ms = (now - p.shown_at).max(0);
        let key = QuestionKey::new(&entry.lesson.id, &q.id);
        let first = p.attempt == 0;
        let rating = first.then(|| rating_for(correct, took_ms));
        let prev_card = cards.get(&key).cloned();
        let card = rating.map(|r| sched.review(&key, prev_card.as_ref(), r, now));
        if first {
            self.answered += 1;
            self.correct_first_try += usize::from(correct);
        }
        if !correct {
            self.queue.push_back((p.item, p.attempt + 1));
        }
        let p = self.current.take()?;
        self.feedback = Some(Feedback {
            item: p.item,
            shuffled: p.shuffled,
            chosen_shown: shown,
            correct,
            correct_shown,
            answer: AnswerRecord {
                key,
                at: now,
                took_ms,
                correct,
                rating,
                mode: self.mode,
            },
            prev_card,
            card,
            saved: false,
        });
        self.feedback.as_ref()
    }

    /// Overrides the rating of the answer just given (only one that moves the schedule, and
    /// only before it is saved).
    pub fn set_rating(&mut self, rating: Rating, sched: &Scheduler) -> bool {
        let Some(f) = &mut self.feedback else {
            return false;
        };
        if f.saved || f.answer.rating.is_none() {
            return false;
        }
        f.answer.rating = Some(rating);
        f.card = Some(sched.review(&f.answer.key, f.prev_card.as_ref(), rating, f.answer.at));
        true
    }

    /// The answer just given and its card, once, for saving.
    pub fn take_unsaved(&mut self) -> Option<(AnswerRecord, Option<CardState>)> {
        let f = self.feedback.as_mut()?;
        if f.saved {
            return None;
        }
        f.saved = true;
        Some((f.answer.clone(), f.card.clone()))
    }

    /// Leaves the feedback and presents the next question (a wrong one comes back at the end).
    pub fn next(&mut self, lib: &Library, now: Timestamp) {
        self.feedback = None;
        if self.current.is_none() {
            self.present(lib, now);
        }
    }

    /// Skips the current question without answering it (it is not asked again in this round).
    pub fn skip(&mut self, lib: &Library, now: Timestamp) {
        self.feedback = None;
        self.present(lib, now);
    }

    /// Whether every question has been answered correctly (nothing left to ask or review).
    pub fn is_finished(&self) -> bool {
        self.current.is_none() && self.feedback.is_none()
    }

    /// Questions still to come, repeats included (not counting the current one).
    pub fn remaining(&self) -> usize {
        self.queue.len()
    }
}
