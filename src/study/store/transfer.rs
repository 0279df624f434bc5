//! Export of the whole store and merge of an export into it.

use super::{Store, StoreError, rows};
use crate::study::clock::{Clock, SystemClock};
use crate::study::export::{Export, FORMAT, ImportSummary, LessonOpened, VERSION};
use rusqlite::Connection;

/// Everything in `store`, stamped with the current time.
pub fn export(store: &Store) -> Result<Export, StoreError> {
    Ok(Export {
        format: FORMAT.to_string(),
        version: VERSION,
        exported_at: SystemClock.now(),
        answers: store.answers()?,
        cards: store.cards()?,
        exams: store.exams()?,
        lessons_opened: store
            .lessons_opened()?
            .into_iter()
            .map(|(lesson, at)| LessonOpened { lesson, at })
            .collect(),
        kernel_runs: store.kernel_runs()?,
        settings: rows::settings(&store.conn)
            .map_err(|e| store.fail(e))?
            .into_iter()
            .collect(),
    })
}

/// Merges `e` into the database (the caller holds the transaction): records already present
/// are skipped, a card is replaced only by one reviewed later, a lesson's last-opened time
/// only moves later, and settings already set here are kept.
pub fn import(c: &Connection, e: &Export) -> rusqlite::Result<ImportSummary> {
    let mut s = ImportSummary::default();
    for a in &e.answers {
        s.answers += usize::from(rows::insert_answer(c, a)?);
    }
    for k in &e.cards {
        s.cards += usize::from(rows::put_card(c, k, true)?);
    }
    for x in &e.exams {
        s.exams += usize::from(rows::insert_exam(c, x)?);
    }
    for l in &e.lessons_opened {
        s.lessons_opened += usize::from(rows::upsert_lesson_opened(c, &l.lesson, l.at)?);
    }
    for r in &e.kernel_runs {
        s.kernel_runs += usize::from(rows::insert_kernel_run(c, r)?);
    }
    for (k, v) in &e.settings {
        s.settings += usize::from(rows::put_setting(c, k, v, false)?);
    }
    Ok(s)
}
