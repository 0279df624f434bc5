//! Opening the database file: probing it, keeping a damaged file aside, refusing to modify a
//! newer schema, and falling back to memory.

use super::{Store, schema};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a write waits for another instance's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What probing an existing file found.
enum Probe {
    /// A database of schema `version` (0 for an empty file).
    Version(u32),
    /// Not a readable database.
    Broken(String),
}

/// Opens `path`, never failing: see the module documentation of [`super`].
pub fn open(path: &Path) -> (Store, Vec<String>) {
    let mut warnings = Vec::new();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        let why = format!("cannot create the folder {}: {e}", dir.display());
        return in_memory(path, &why, warnings);
    }
    if path.exists() {
        match probe(path) {
            Ok(Probe::Version(v)) if v > schema::SCHEMA_VERSION => {
                return read_only(path, v, warnings);
            }
            Ok(Probe::Version(_)) => {}
            Ok(Probe::Broken(why)) => match move_aside(path) {
                Ok(backup) => warnings.push(format!(
                    "the progress database {} could not be read ({why}); it was kept as {} and a \
                     new, empty one was started",
                    path.display(),
                    backup.display()
                )),
                Err(e) => {
                    let why = format!("it is damaged ({why}) and could not be moved aside: {e}");
                    return in_memory(path, &why, warnings);
                }
            },
            Err(e) => return in_memory(path, &e.to_string(), warnings),
        }
    }
    match open_writable(path) {
        Ok(conn) => {
            let store = Store {
                conn,
                path: Some(path.to_path_buf()),
                read_only: false,
            };
            (store, warnings)
        }
        Err(why) => in_memory(path, &why, warnings),
    }
}

/// Reads the schema version of an existing file without changing its contents.
///
/// A process killed in the middle of a write (the very first one included: switching a new
/// file to WAL) leaves a *hot* rollback journal or an unrecovered WAL. SQLite repairs that on
/// the next read, but a read-only connection cannot, and fails with "attempt to write a
/// readonly database" — every start would then fall back to memory. So on that error the file
/// is opened once for writing, which rolls the interrupted write back (a read triggers it;
/// nothing else is written), and probed again.
fn probe(path: &Path) -> rusqlite::Result<Probe> {
    match probe_read_only(path) {
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::ReadOnly) => {
            let conn = Connection::open(path)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))?;
            drop(conn);
            probe_read_only(path)
        }
        other => other,
    }
}

fn probe_read_only(path: &Path) -> rusqlite::Result<Probe> {
    let conn = open_read_only(path)?;
    let checked = schema::version(&conn).and_then(|v| {
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        Ok((v, check))
    });
    match checked {
        Ok((v, check)) if check == "ok" => Ok(Probe::Version(v)),
        Ok((_, check)) => Ok(Probe::Broken(format!("integrity check: {check}"))),
        Err(e) if is_damage(&e) => Ok(Probe::Broken(e.to_string())),
        Err(e) => Err(e),
    }
}

/// Whether SQLite says the file is not a database or is corrupt.
fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// Opens (creating if needed) in WAL mode and migrates to the current schema.
fn open_writable(path: &Path) -> Result<Connection, String> {
    let text = |e: rusqlite::Error| e.to_string();
    let mut conn = Connection::open(path).map_err(text)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(text)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(text)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!("cannot switch to WAL mode (got {mode})"));
    }
    // FULL: a committed answer survives a power cut, not only a crash of the app.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(text)?;
    schema::migrate(&mut conn).map_err(text)?;
    Ok(conn)
}

/// A store on a database from a newer eshikaku: read, never written.
fn read_only(path: &Path, version: u32, mut warnings: Vec<String>) -> (Store, Vec<String>) {
    match open_read_only(path) {
        Ok(conn) => {
            warnings.push(format!(
                "the progress database {} has schema version {version}, newer than this build's \
                 {}: it is opened read-only and progress will not be saved; update eshikaku",
                path.display(),
                schema::SCHEMA_VERSION
            ));
            let store = Store {
                conn,
                path: Some(path.to_path_buf()),
                read_only: true,
            };
            (store, warnings)
        }
        Err(e) => in_memory(path, &e.to_string(), warnings),
    }
}

/// The fallback: an in-memory store and a warning saying why.
fn in_memory(path: &Path, why: &str, mut warnings: Vec<String>) -> (Store, Vec<String>) {
    warnings.push(format!(
        "cannot use the progress database {} ({why}); progress will not be saved this session \
         (set {} to a writable folder)",
        path.display(),
        super::HOME_ENV
    ));
    (Store::in_memory(), warnings)
}

/// Renames a damaged database (and its `-wal`/`-shm` companions) to
/// `<name>.broken-YYYYmmdd-HHMMSS`, adding `-2`, `-3` … if that name is taken.
fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = jiff::ZonedDateTime::now()
        .strftime("%Y%m%d-%H%M%S")
        .to_string();
    let name = path.file_name().map_or_else(
        || "progress.sqlite3".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut backup = path.with_file_name(format!("{name}.broken-{stamp}"));
    let mut n = 2;
    while backup.exists() {
        backup = path.with_file_name(format!("{name}.broken-{stamp}-{n}"));
        n += 1;
    }
    std::fs::rename(path, &backup)?;
    for suffix in ["-wal", "-shm"] {
        let side = path.with_file_name(format!("{name}{suffix}"));
        if side.exists() {
            let to = backup.with_file_name(format!(
                "{}{suffix}",
                backup
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            ));
            std::fs::rename(&side, &to)?;
        }
    }
    Ok(backup)
}
