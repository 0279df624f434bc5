//! The database schema and its forward migrations.
//!
//! The schema version lives in `PRAGMA user_version`. [`MIGRATIONS`]`[i]` takes a database
//! from version `i` to version `i + 1`; opening a database applies, in one transaction, every
//! migration it has not seen yet. Never edit a released migration: add a new one.

use rusqlite::{Connection, TransactionBehavior};

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 2;

/// Version 0 → 1: the first schema (lessons opened, kernel runs without their metrics,
/// answers, cards, exams and their items).
const V1: &str = "
CREATE TABLE lessons_opened (
    lesson  TEXT PRIMARY KEY NOT NULL,
    at      INTEGER NOT NULL
);
CREATE TABLE kernel_runs (
    id      INTEGER PRIMARY KEY,
    kernel  TEXT NOT NULL,
    at      INTEGER NOT NULL,
    seed    INTEGER NOT NULL,
    passed  INTEGER NOT NULL,
    UNIQUE (kernel, at, seed)
);
CREATE TABLE answers (
    id        INTEGER PRIMARY KEY,
    lesson    TEXT NOT NULL,
    question  TEXT NOT NULL,
    at        INTEGER NOT NULL,
    took_ms   INTEGER NOT NULL,
    correct   INTEGER NOT NULL,
    rating    INTEGER,
    mode      TEXT NOT NULL,
    UNIQUE (lesson, question, at, mode)
);
CREATE TABLE cards (
    lesson       TEXT NOT NULL,
    question     TEXT NOT NULL,
    stability    REAL NOT NULL,
    difficulty   REAL NOT NULL,
    last_review  INTEGER NOT NULL,
    due          INTEGER NOT NULL,
    reps         INTEGER NOT NULL,
    lapses       INTEGER NOT NULL,
    PRIMARY KEY (lesson, question)
);
CREATE TABLE exams (
    id          INTEGER PRIMARY KEY,
    started     INTEGER NOT NULL,
    used_ms     INTEGER NOT NULL,
    allowed_ms  INTEGER NOT NULL,
    seed        INTEGER NOT NULL,
    timed_out   INTEGER NOT NULL,
    UNIQUE (started, seed)
);
CREATE TABLE exam_items (
    exam      INTEGER NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    pos       INTEGER NOT NULL,
    lesson    TEXT NOT NULL,
    question  TEXT NOT NULL,
    chapter   TEXT NOT NULL,
    area      TEXT NOT NULL,
    chosen    INTEGER,
    correct   INTEGER NOT NULL,
    flagged   INTEGER NOT NULL,
    PRIMARY KEY (exam, pos)
);
";

/// Version 1 → 2: the metrics of each kernel run, and learner settings.
const V2: &str = "
CREATE TABLE kernel_metrics (
    run     INTEGER NOT NULL REFERENCES kernel_runs (id) ON DELETE CASCADE,
    pos     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    value   REAL,
    target  TEXT,
    pass    INTEGER NOT NULL,
    PRIMARY KEY (run, pos)
);
CREATE TABLE settings (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
);
";

/// `MIGRATIONS[i]` migrates version `i` to `i + 1`.
pub const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [V1, V2];

/// The schema version recorded in the database.
pub fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Brings the database up to [`SCHEMA_VERSION`] in one transaction (taken with a write lock
/// first, so two instances opening an old database at once migrate it once). Returns the
/// version found before migrating.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<u32> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = version(&tx)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as u32 + 1)?;
    }
    tx.commit()?;
    Ok(found)
}
