//! What happens when the program panics: the terminal comes back in a usable state, the details
//! are kept in a file, and the learner is told that it is a bug and where to report it.
//!
//! [`install`] runs first thing in `main`. While the TUI owns the terminal ([`set_tui_active`]):
//! - a panic on the TUI's own (main) thread leaves raw mode, the alternate screen and mouse
//!   capture first, so the message lands on the normal screen, readable after the program ends;
//! - a panic on a kernel's worker thread leaves the terminal alone (the app goes on and shows
//!   the run as failed): the details go to the crash file only, whose path [`last_crash`] gives.

use std::io::Write;
use std::panic::PanicHookInfo;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set while the TUI owns the terminal (mouse capture is on and must be switched off).
static TUI_ACTIVE: AtomicBool = AtomicBool::new(false);

/// Where a learner reports a crash (README section, so the place can change in one file).
pub const WHERE_TO_REPORT: &str = "README.md, section \"Reporting a bug\"";

/// The crash file of the last panic on a worker thread while the TUI was active.
static LAST_CRASH: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Installs the panic hook (replacing any other, e.g. the one `ratatui::try_init` sets): the
/// standard message, then [`report`].
pub fn install() {
    let _ = std::panic::take_hook();
    let standard = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let on_main = std::thread::current().name() == Some("main");
        if TUI_ACTIVE.load(Ordering::SeqCst) && !on_main {
            let saved = save(info);
            if let Ok(mut last) = LAST_CRASH.lock() {
                *last = saved;
            }
            return;
        }
        if TUI_ACTIVE.swap(false, Ordering::SeqCst) {
            give_back_terminal();
        }
        standard(info);
        report(info);
    }));
}

/// Marks the terminal as taken (`true`) or given back (`false`) by the TUI.
pub fn set_tui_active(active: bool) {
    TUI_ACTIVE.store(active, Ordering::SeqCst);
}

/// The crash file written for the last worker-thread panic during the TUI, if any.
pub fn last_crash() -> Option<PathBuf> {
    LAST_CRASH.lock().ok().and_then(|last| last.clone())
}

/// Leaves raw mode and the alternate screen, and turns mouse reporting off, so the shell gets
/// its terminal back and receives no mouse escape codes.
fn give_back_terminal() {
    use ratatui::crossterm::{event::DisableMouseCapture, execute};
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
}

/// Writes the crash file (best effort) and the two lines that tell the learner what to do.
fn report(info: &PanicHookInfo<'_>) {
    let saved = save(info);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "eshikaku {} stopped on an internal error — this is a bug, not something you did. \
         Your answers saved so far are kept.",
        env!("CARGO_PKG_VERSION")
    );
    let _ = match saved {
        Some(path) => writeln!(
            err,
            "Please report it (see {WHERE_TO_REPORT}) with the details saved in {}",
            path.display()
        ),
        None => writeln!(
            err,
            "Please report it (see {WHERE_TO_REPORT}) with the message above"
        ),
    };
}

/// Saves the message, place, version and a backtrace to `crash-<unix seconds>.txt` in the data
/// folder; `None` when that folder cannot be written.
fn save(info: &PanicHookInfo<'_>) -> Option<PathBuf> {
    let dir = crate::study::store::data_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let path = dir.join(format!("crash-{secs}.txt"));
    let text = format!(
        "eshikaku {}\n{}\n\nbacktrace:\n{}\n",
        env!("CARGO_PKG_VERSION"),
        info,
        std::backtrace::Backtrace::force_capture()
    );
    std::fs::write(&path, text).ok()?;
    Some(path)
}

/// Debug builds only: panics when `ESHIKAKU_DEBUG_PANIC` names `place`, so tests can check
/// what a crash at that place leaves behind. Release builds compile this to nothing.
pub fn debug_trigger(place: &str) {
    if cfg!(debug_assertions) && std::env::var("ESHIKAKU_DEBUG_PANIC").is_ok_and(|v| v == place) {
        panic!("ESHIKAKU_DEBUG_PANIC={place}: a deliberate panic for a test");
    }
}
