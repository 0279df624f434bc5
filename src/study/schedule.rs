//! Spaced review with FSRS (the scheduler Anki uses), one card per question.
//!
//! After each answer the card's memory state (stability S, difficulty D) is updated by the
//! `fsrs` crate with the FSRS-6 default parameters, and the card is next due after the interval
//! at which its predicted recall probability falls to the desired retention:
//!
//! R(t, S) = (1 + f · t / S)^(−w₂₀),  f = 0.9^(−1/w₂₀) − 1,  interval = t such that R = retention.
//!
//! The rating is derived from the answer (the learner may override it):
//!
//! | answer                                  | rating |
//! |-----------------------------------------|--------|
//! | wrong                                   | Again  |
//! | correct within [`EASY_WITHIN_MS`]       | Easy   |
//! | correct within [`PACE_MS`] (exam pace)  | Good   |
//! | correct but slower than the exam pace   | Hard   |

use super::clock::{DAY_MS, day_of, end_of_day};
use super::records::{CardState, QuestionKey, Rating, Timestamp};
use fsrs::{DEFAULT_PARAMETERS, FSRS, MemoryState};

/// The exam's pace: 120 minutes for about 100 questions, 72 s each.
pub const PACE_MS: i64 = 72_000;
/// A correct answer this fast is rated Easy.
pub const EASY_WITHIN_MS: i64 = 20_000;
/// Desired retention when the learner has not set one.
pub const DEFAULT_RETENTION: f32 = 0.9;
/// The range of desired retention the scheduler accepts.
pub const RETENTION_RANGE: std::ops::RangeInclusive<f32> = 0.70..=0.99;
/// A card counts as mastered while its recall probability is at least this.
pub const MASTERY_RETRIEVABILITY: f32 = 0.9;

/// The rating an answer earns, before any override by the learner.
pub fn rating_for(correct: bool, took_ms: i64) -> Rating {
    match (correct, took_ms) {
        (false, _) => Rating::Again,
        (true, t) if t <= EASY_WITHIN_MS => Rating::Easy,
        (true, t) if t <= PACE_MS => Rating::Good,
        (true, _) => Rating::Hard,
    }
}

/// FSRS with the default parameters and a desired retention.
#[derive(Debug, Clone)]
pub struct Scheduler {
    fsrs: FSRS,
    retention: f32,
}

impl Scheduler {
    /// A scheduler aiming at `retention` (checked against [`RETENTION_RANGE`]).
    pub fn new(retention: f32) -> Result<Self, String> {
        if !RETENTION_RANGE.contains(&retention) {
            return Err(format!(
                "desired retention {retention} is out of range: use a value from {} to {}",
                RETENTION_RANGE.start(),
                RETENTION_RANGE.end()
            ));
        }
        let fsrs = FSRS::new(&[]).map_err(|e| format!("FSRS parameters: {e}"))?;
        Ok(Self { fsrs, retention })
    }

    pub fn retention(&self) -> f32 {
        self.retention
    }

    /// The card after reviewing `card` (or a new card for `key`) with `rating` at `now`.
    pub fn review(
        &self,
        key: &QuestionKey,
        card: Option<&CardState>,
        rating: Rating,
        now: Timestamp,
    ) -> CardState {
        let memory = card.map(|c| MemoryState {
            stability: c.stability,
            difficulty: c.difficulty,
        });
        let days = card.map_or(0, |c| elapsed_days(c.last_review, now));
        let next = self
            .fsrs
            .next_states(memory, self.retention, days)
            .ok()
            .map(|n| match rating {
                Rating::Again => n.again,
                Rating::Hard => n.hard,
                Rating::Good => n.good,
                Rating::Easy => n.easy,
            });
        // `next_states` only fails on a corrupt memory state; start that card afresh.
        let next = next.unwrap_or_else(|| {
            let n = self.fsrs.next_states(None, self.retention, 0);
            n.map(|n| n.good).unwrap_or(fsrs::ItemState {
                memory: MemoryState {
                    stability: 1.0,
                    difficulty: 5.0,
                },
                interval: 1.0,
            })
        });
        let reps = card.map_or(0, |c| c.reps) + 1;
        let lapses =
            card.map_or(0, |c| c.lapses) + u32::from(card.is_some() && rating == Rating::Again);
        CardState {
            key: key.clone(),
            stability: next.memory.stability,
            difficulty: next.memory.difficulty,
            last_review: now,
            due: now.saturating_add(interval_ms(next.interval, rating)),
            reps,
            lapses,
        }
    }

    /// The predicted probability that `card` is recalled at `now`.
    pub fn retrievability(&self, card: &CardState, now: Timestamp) -> f32 {
        let days = (now - card.last_review).max(0) as f32 / DAY_MS as f32;
        fsrs::current_retrievability(
            MemoryState {
                stability: card.stability.max(0.01),
                difficulty: card.difficulty,
            },
            days,
            DEFAULT_PARAMETERS[20],
        )
    }
}

/// Whether `card` is due today: due before the end of the learner's day of `now`.
pub fn is_due(card: &CardState, now: Timestamp) -> bool {
    card.due < end_of_day(now)
}

/// Whole calendar days (learner's time zone) between two instants, as FSRS counts them.
pub fn elapsed_days(from: Timestamp, to: Timestamp) -> u32 {
    let d = day_of(to).since(day_of(from)).map_or(0, |s| s.get_days());
    u32::try_from(d).unwrap_or(0)
}

/// The interval as milliseconds: a failed card comes back after FSRS's short interval; a
/// passed one after a whole number of days (at least one), as Anki schedules review cards.
fn interval_ms(days: f32, rating: Rating) -> i64 {
    let days = if rating == Rating::Again {
        f64::from(days.max(0.0))
    } else {
        f64::from(days.round().max(1.0))
    };
    (days * DAY_MS as f64).min(36_500.0 * DAY_MS as f64) as i64
}
