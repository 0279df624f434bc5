//! Reading and writing records as table rows. Each writer returns whether it added or
//! changed a row, so an import can count what it merged.

use crate::study::records::{
    AnswerRecord, CardState, ExamItemRecord, ExamRecord, KernelRunRecord, MetricRecord, Mode,
    QuestionKey, Rating, Timestamp,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

/// Seeds are `u64`; SQLite integers are `i64`: stored bit for bit.
fn seed_in(seed: u64) -> i64 {
    seed as i64
}
fn seed_out(v: i64) -> u64 {
    v as u64
}

/// Sets the lesson's last-opened time to `at` if later (or new).
pub fn upsert_lesson_opened(c: &Connection, lesson: &str, at: Timestamp) -> rusqlite::Result<bool> {
    let n = c.execute(
        "INSERT INTO lessons_opened (lesson, at) VALUES (?1, ?2)
         ON CONFLICT (lesson) DO UPDATE SET at = excluded.at WHERE excluded.at > lessons_opened.at",
        params![lesson, at],
    )?;
    Ok(n > 0)
}

/// Adds a kernel run and its metrics (nothing if the same run is already there).
pub fn insert_kernel_run(c: &Connection, r: &KernelRunRecord) -> rusqlite::Result<bool> {
    let n = c.execute(
        "INSERT OR IGNORE INTO kernel_runs (kernel, at, seed, passed) VALUES (?1, ?2, ?3, ?4)",
        params![r.kernel, r.at, seed_in(r.seed), r.passed],
    )?;
    if n == 0 {
        return Ok(false);
    }
    let run = c.last_insert_rowid();
    for (pos, m) in r.metrics.iter().enumerate() {
        c.execute(
            "INSERT INTO kernel_metrics (run, pos, name, value, target, pass)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![run, pos as i64, m.name, m.value, m.target, m.pass],
        )?;
    }
    Ok(true)
}

/// Adds an answer (nothing if the same answer is already there).
pub fn insert_answer(c: &Connection, a: &AnswerRecord) -> rusqlite::Result<bool> {
    let n = c.execute(
        "INSERT OR IGNORE INTO answers (lesson, question, at, took_ms, correct, rating, mode)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            a.key.lesson,
            a.key.question,
            a.at,
            a.took_ms,
            a.correct,
            a.rating.map(|r| r.grade()),
            a.mode.as_str()
        ],
    )?;
    Ok(n > 0)
}

/// Stores a card. With `only_if_newer`, an existing card is replaced only by one reviewed
/// later (import); otherwise always (a new review).
pub fn put_card(c: &Connection, k: &CardState, only_if_newer: bool) -> rusqlite::Result<bool> {
    let sql = if only_if_newer {
        "INSERT INTO cards VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (lesson, question) DO UPDATE SET stability = excluded.stability,
           difficulty = excluded.difficulty, last_review = excluded.last_review,
           due = excluded.due, reps = excluded.reps, lapses = excluded.lapses
         WHERE excluded.last_review > cards.last_review"
    } else {
        "INSERT OR REPLACE INTO cards VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    };
    let n = c.execute(
        sql,
        params![
            k.key.lesson,
            k.key.question,
            f64::from(k.stability),
            f64::from(k.difficulty),
            k.last_review,
            k.due,
            k.reps,
            k.lapses
        ],
    )?;
    Ok(n > 0)
}

/// Adds an exam and its items (nothing if the same exam is already there).
pub fn insert_exam(c: &Connection, e: &ExamRecord) -> rusqlite::Result<bool> {
    let n = c.execute(
        "INSERT OR IGNORE INTO exams (started, used_ms, allowed_ms, seed, timed_out)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            e.started,
            e.used_ms,
            e.allowed_ms,
            seed_in(e.seed),
            e.timed_out
        ],
    )?;
    if n == 0 {
        return Ok(false);
    }
    let exam = c.last_insert_rowid();
    for (pos, i) in e.items.iter().enumerate() {
        c.execute(
            "INSERT INTO exam_items
             (exam, pos, lesson, question, chapter, area, chosen, correct, flagged)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                exam,
                pos as i64,
                i.key.lesson,
                i.key.question,
                i.chapter,
                i.area,
                i.chosen.map(|c| c as i64),
                i.correct,
                i.flagged
            ],
        )?;
    }
    Ok(true)
}

/// Stores a setting; with `replace` false, an existing value is kept.
pub fn put_setting(
    c: &Connection,
    key: &str,
    value: &str,
    replace: bool,
) -> rusqlite::Result<bool> {
    let sql = if replace {
        "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)"
    } else {
        "INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)"
    };
    Ok(c.execute(sql, params![key, value])? > 0)
}

pub fn setting(c: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .optional()
}

pub fn settings(c: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    collect(c, "SELECT key, value FROM settings ORDER BY key", [], |r| {
        Ok(Some((r.get(0)?, r.get(1)?)))
    })
}

pub fn lessons_opened(c: &Connection) -> rusqlite::Result<Vec<(String, Timestamp)>> {
    collect(
        c,
        "SELECT lesson, at FROM lessons_opened ORDER BY lesson",
        [],
        |r| Ok(Some((r.get(0)?, r.get(1)?))),
    )
}

pub fn answers(c: &Connection) -> rusqlite::Result<Vec<AnswerRecord>> {
    let sql = "SELECT lesson, question, at, took_ms, correct, rating, mode FROM answers
               ORDER BY at, id";
    collect(c, sql, [], |r| {
        let mode: String = r.get(6)?;
        let rating: Option<i64> = r.get(5)?;
        // A mode this build does not know (a newer database) is skipped.
        let Some(mode) = Mode::parse(&mode) else {
            return Ok(None);
        };
        Ok(Some(AnswerRecord {
            key: key(r, 0)?,
            at: r.get(2)?,
            took_ms: r.get(3)?,
            correct: r.get(4)?,
            rating: rating.and_then(Rating::from_grade),
            mode,
        }))
    })
}

pub fn cards(c: &Connection) -> rusqlite::Result<Vec<CardState>> {
    let sql = "SELECT lesson, question, stability, difficulty, last_review, due, reps, lapses
               FROM cards ORDER BY lesson, question";
    collect(c, sql, [], |r| {
        Ok(Some(CardState {
            key: key(r, 0)?,
            stability: r.get::<_, f64>(2)? as f32,
            difficulty: r.get::<_, f64>(3)? as f32,
            last_review: r.get(4)?,
            due: r.get(5)?,
            reps: r.get(6)?,
            lapses: r.get(7)?,
        }))
    })
}

pub fn kernel_runs(c: &Connection) -> rusqlite::Result<Vec<KernelRunRecord>> {
    let sql = "SELECT id, kernel, at, seed, passed FROM kernel_runs ORDER BY at, id";
    collect(c, sql, [], |r| {
        let run: i64 = r.get(0)?;
        Ok(Some(KernelRunRecord {
            kernel: r.get(1)?,
            at: r.get(2)?,
            seed: seed_out(r.get(3)?),
            passed: r.get(4)?,
            metrics: metrics(c, run)?,
        }))
    })
}

fn metrics(c: &Connection, run: i64) -> rusqlite::Result<Vec<MetricRecord>> {
    let sql = "SELECT name, value, target, pass FROM kernel_metrics WHERE run = ?1 ORDER BY pos";
    collect(c, sql, [run], |r| {
        Ok(Some(MetricRecord {
            name: r.get(0)?,
            // NaN is stored as NULL by SQLite.
            value: r.get::<_, Option<f64>>(1)?.unwrap_or(f64::NAN),
            target: r.get(2)?,
            pass: r.get(3)?,
        }))
    })
}

pub fn exams(c: &Connection) -> rusqlite::Result<Vec<ExamRecord>> {
    let sql = "SELECT id, started, used_ms, allowed_ms, seed, timed_out FROM exams
               ORDER BY started, id";
    collect(c, sql, [], |r| {
        let exam: i64 = r.get(0)?;
        Ok(Some(ExamRecord {
            started: r.get(1)?,
            used_ms: r.get(2)?,
            allowed_ms: r.get(3)?,
            seed: seed_out(r.get(4)?),
            timed_out: r.get(5)?,
            items: exam_items(c, exam)?,
        }))
    })
}

fn exam_items(c: &Connection, exam: i64) -> rusqlite::Result<Vec<ExamItemRecord>> {
    let sql = "SELECT lesson, question, chapter, area, chosen, correct, flagged FROM exam_items
               WHERE exam = ?1 ORDER BY pos";
    collect(c, sql, [exam], |r| {
        Ok(Some(ExamItemRecord {
            key: key(r, 0)?,
            chapter: r.get(2)?,
            area: r.get(3)?,
            chosen: r
                .get::<_, Option<i64>>(4)?
                .and_then(|c| usize::try_from(c).ok()),
            correct: r.get(5)?,
            flagged: r.get(6)?,
        }))
    })
}

fn key(r: &Row, first: usize) -> rusqlite::Result<QuestionKey> {
    Ok(QuestionKey {
        lesson: r.get(first)?,
        question: r.get(first + 1)?,
    })
}

/// Runs a query and collects the rows `f` keeps.
fn collect<T, P: rusqlite::Params>(
    c: &Connection,
    sql: &str,
    params: P,
    f: impl Fn(&Row) -> rusqlite::Result<Option<T>>,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = c.prepare(sql)?;
    let rows = stmt.query_map(params, |r| f(r))?;
    let mut out = Vec::new();
    for row in rows {
        if let Some(v) = row? {
            out.push(v);
        }
    }
    Ok(out)
}
