//! The progress store: one SQLite database, `progress.sqlite3` in the learner's data folder.
//!
//! - The schema version is `PRAGMA user_version`, with forward migrations ([`schema`]).
//! - WAL journal and a busy timeout, so two app instances can write at once.
//! - Every write is its own transaction: a crash loses at most the record being saved.
//! - Questions and lessons are keyed by their text ids; rows for ids that no longer exist in the
//!   content are kept (statistics ignore them).
//! - Opening never fails. A file that is not a readable database is moved aside to
//!   `progress.sqlite3.broken-YYYYmmdd-HHMMSS` and a fresh one is created; a database written
//!   by a newer eshikaku is opened read-only and never modified; when no file can be used the
//!   store lives in memory. Each such event is returned as a one-line warning.

mod open;
mod rows;
pub mod schema;
mod transfer;

use super::export::{Export, ImportSummary};
use super::records::{AnswerRecord, CardState, ExamRecord, KernelRunRecord, Timestamp};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// The file name of the progress database inside the data folder.
pub const FILE_NAME: &str = "progress.sqlite3";
/// The environment variable that overrides the data folder.
pub const HOME_ENV: &str = "ESHIKAKU_HOME";

/// The learner's saved progress.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    read_only: bool,
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The database was written by a newer eshikaku and is only read (the file's path).
    ReadOnly(String),
    /// SQLite reported an error.
    Sqlite(String),
    /// Reading or writing a file failed.
    Io(String),
    /// Data in an unexpected shape (e.g. an export of another kind).
    Format(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::ReadOnly(path) => write!(
                f,
                "the progress database {path} was written by a newer version of eshikaku and is \
                 opened read-only: nothing is saved; update eshikaku to keep recording progress"
            ),
            StoreError::Sqlite(m) => write!(
                f,
                "cannot save or read progress: {m} (is the disk full, or the file locked by \
                 another program? your earlier progress is kept)"
            ),
            StoreError::Io(m) => write!(f, "progress file error: {m}"),
            StoreError::Format(m) => write!(f, "progress data error: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e.to_string())
    }
}

impl Store {
    /// The progress database `progress.sqlite3` in the data folder: `ESHIKAKU_HOME` if set,
    /// else the platform data folder (`~/.local/share/eshikaku` on Linux). Never fails:
    /// problems are returned as warnings (one line each, without a `warning:` prefix) and the
    /// store lives in memory if no file can be used.
    pub fn open_default() -> (Store, Vec<String>) {
        match data_dir() {
            Some(dir) => Store::open(&dir.join(FILE_NAME)),
            None => (
                Store::in_memory(),
                vec![format!(
                    "no data folder found for the progress database; progress will not be saved \
                     (set {HOME_ENV} to a writable folder)"
                )],
            ),
        }
    }

    /// The same as [`Store::open_default`] for an explicit database file path.
    pub fn open(path: &Path) -> (Store, Vec<String>) {
        open::open(path)
    }

    /// A store that lives in memory only (nothing is saved).
    pub fn in_memory() -> Store {
        let conn = Connection::open_in_memory()
            .and_then(|mut c| schema::migrate(&mut c).map(|_| c))
            .unwrap_or_else(|e| panic!("SQLite cannot open an in-memory database: {e}"));
        Store {
            conn,
            path: None,
            read_only: false,
        }
    }

    /// The database file, or `None` when in memory.
    pub fn location(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether writes are refused (a database from a newer eshikaku).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Records that `lesson` was opened at `at` (keeps the latest time).
    pub fn record_lesson_opened(&self, lesson: &str, at: Timestamp) -> Result<(), StoreError> {
        self.write(|tx| rows::upsert_lesson_opened(tx, lesson, at).map(|_| ()))
    }

    /// Records a finished kernel run and its metrics.
    pub fn record_kernel_run(&self, r: &KernelRunRecord) -> Result<(), StoreError> {
        self.write(|tx| rows::insert_kernel_run(tx, r).map(|_| ()))
    }

    /// Records an answer and the card's new state in one transaction: both or neither are
    /// saved.
    pub fn record_answer(
        &self,
        a: &AnswerRecord,
        card: Option<&CardState>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            rows::insert_answer(tx, a)?;
            if let Some(c) = card {
                rows::put_card(tx, c, false)?;
            }
            Ok(())
        })
    }

    /// Records a finished mock exam and its items.
    pub fn record_exam(&self, e: &ExamRecord) -> Result<(), StoreError> {
        self.write(|tx| rows::insert_exam(tx, e).map(|_| ()))
    }

    /// Every card, ordered by lesson and question id.
    pub fn cards(&self) -> Result<Vec<CardState>, StoreError> {
        rows::cards(&self.conn).map_err(|e| self.fail(e))
    }

    /// Every answer, oldest first.
    pub fn answers(&self) -> Result<Vec<AnswerRecord>, StoreError> {
        rows::answers(&self.conn).map_err(|e| self.fail(e))
    }

    /// Every exam, oldest first.
    pub fn exams(&self) -> Result<Vec<ExamRecord>, StoreError> {
        rows::exams(&self.conn).map_err(|e| self.fail(e))
    }

    /// Every lesson opened, with when it was last opened, ordered by lesson id.
    pub fn lessons_opened(&self) -> Result<Vec<(String, Timestamp)>, StoreError> {
        rows::lessons_opened(&self.conn).map_err(|e| self.fail(e))
    }

    /// Every kernel run, oldest first.
    pub fn kernel_runs(&self) -> Result<Vec<KernelRunRecord>, StoreError> {
        rows::kernel_runs(&self.conn).map_err(|e| self.fail(e))
    }

    /// The stored value of setting `key`.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        rows::setting(&self.conn, key).map_err(|e| self.fail(e))
    }

    /// Stores setting `key` (the caller validates the value).
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|tx| rows::put_setting(tx, key, value, true).map(|_| ()))
    }

    /// Everything in the store, as the export document.
    pub fn export(&self) -> Result<Export, StoreError> {
        transfer::export(self)
    }

    /// Merges an export into the store, in one transaction. Importing the same export twice
    /// adds nothing the second time.
    pub fn import(&self, e: &Export) -> Result<ImportSummary, StoreError> {
        e.check().map_err(StoreError::Format)?;
        self.write(|tx| transfer::import(tx, e))
    }

    /// Runs `f` in its own transaction, refusing if the store is read-only.
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        if self.read_only {
            let path = self.path.as_deref().unwrap_or(Path::new(":memory:"));
            return Err(StoreError::ReadOnly(path.display().to_string()));
        }
        // IMMEDIATE: take the write lock up front, waiting (busy timeout) for another
        // instance's write to finish rather than failing half-way.
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(|e| self.fail(e))?;
        let out = f(&tx).map_err(|e| self.fail(e))?;
        tx.commit().map_err(|e| self.fail(e))?;
        Ok(out)
    }

    /// A SQLite error, naming the database file.
    fn fail(&self, e: rusqlite::Error) -> StoreError {
        let place = self.path.as_deref().map_or_else(
            || "in-memory database".to_string(),
            |p| p.display().to_string(),
        );
        StoreError::Sqlite(format!("{place}: {e}"))
    }
}

/// The data folder: `ESHIKAKU_HOME` if set and not empty, else the platform data folder.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(HOME_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => directories::ProjectDirs::from("", "", "eshikaku").map(|p| p.data_dir().to_path_buf()),
    }
}
