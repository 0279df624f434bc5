//! Time: an injectable clock (real or manual) and calendar days in the learner's time zone.

use super::records::Timestamp;
use std::cell::Cell;

/// Where "now" comes from.
pub trait Clock {
    /// Milliseconds since the Unix epoch (UTC).
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock that only moves when told to (tests, scripted sessions).
#[derive(Debug, Default)]
pub struct ManualClock(Cell<Timestamp>);

impl ManualClock {
    pub fn new(at: Timestamp) -> Self {
        Self(Cell::new(at))
    }
    /// Moves the clock forward by `ms` milliseconds.
    pub fn advance(&self, ms: i64) {
        self.0.set(self.0.get().saturating_add(ms));
    }
    pub fn set(&self, at: Timestamp) {
        self.0.set(at);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.0.get()
    }
}

/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;

/// The learner's calendar day of `at` (system time zone; `TZ` overrides it).
pub fn day_of(at: Timestamp) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_millisecond(at)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(tz)
        .date()
}

/// The first millisecond of the day after the day of `at` (local time): "due today" means due
/// before this.
pub fn end_of_day(at: Timestamp) -> Timestamp {
    let tz = jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC);
    day_of(at)
        .tomorrow()
        .ok()
        .and_then(|d| d.to_zoned_datetime(tz).ok())
        .map_or(at.saturating_add(DAY_MS), |z| {
            z.timestamp().as_millisecond()
        })
}
