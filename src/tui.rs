//! The interactive TUI: terminal set-up, the event loop, and restoring the terminal.

pub mod app;
pub mod effect;
pub mod keys;
pub mod knob_form;
pub mod persist;
pub mod reload;
pub mod runner;
pub mod search;
pub mod study;
pub mod wake;

use crate::study::clock::{Clock, SystemClock};
use app::{App, Message};
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TermEvent,
};
use ratatui::crossterm::execute;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Opens the TUI on the built-in lessons (plus `folder`), until the learner quits.
pub fn main(folder: Option<&Path>) -> ExitCode {
    // Without a terminal (`eshikaku < /dev/null`, a pipe, cron) terminal set-up would fail or
    // draw escape codes into a file: say what works instead, before touching the terminal.
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        eprintln!("{NO_TERMINAL}");
        return ExitCode::from(2);
    }
    let loaded = crate::content::load(folder);
    let mut app = App::new(loaded.library, loaded.diagnostics.len());
    let (store, warnings) = crate::study::store::Store::open_default();
    app.study = persist::load(&store, warnings);
    app.now = SystemClock.now();
    app.study.refresh(&app.library, app.now);
    app.status = app.study.store_warning.clone();
    app.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    // `ratatui::try_init` installs its own panic hook; `crash::install` puts ours back (it
    // restores the terminal too, but only for a panic on this thread, not a kernel's).
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            eprintln!("error: cannot set up the terminal: {e}");
            return ExitCode::from(2);
        }
    };
    crate::crash::install();
    crate::crash::set_tui_active(true);
    // Without mouse capture the wheel still scrolls through the terminal's arrow keys.
    let mouse = execute!(std::io::stdout(), EnableMouseCapture).is_ok();
    let mut watch = folder.map(reload::Watch::new);
    let result = run(&mut terminal, &mut app, &store, watch.as_mut());
    if mouse {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
    }
    ratatui::restore();
    crate::crash::set_tui_active(false);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: terminal: {e}");
            ExitCode::from(2)
        }
    }
}

/// What `eshikaku` without a command says when stdin or stdout is not a terminal.
pub const NO_TERMINAL: &str = "error: the study screens need a terminal (stdin and stdout are not both one); \
without one, use `eshikaku list`, `eshikaku show LESSON`, `eshikaku quiz`, `eshikaku exam`, \
`eshikaku run KERNEL` or another command from `eshikaku --help`";

/// The event loop: draw, then sleep until a key, a resize, a kernel event or a running timer
/// (see [`wake::interval`]); an idle app blocks on input and uses no CPU.
fn run(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    store: &crate::study::store::Store,
    mut watch: Option<&mut reload::Watch>,
) -> std::io::Result<()> {
    let start = Instant::now();
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    while !app.quit {
        persist::apply(store, app);
        terminal.draw(|f| crate::ui::render(app, f))?;
        crate::crash::debug_trigger("tui");
        let timeout = match (wake::interval(app), &watch) {
            (Some(t), Some(_)) => Some(t.min(reload::POLL)),
            (None, Some(_)) => Some(reload::POLL),
            (t, None) => t,
        };
        let ready = match timeout {
            Some(timeout) => event::poll(timeout)?,
            None => true,
        };
        app.now = SystemClock.now();
        app.tick = wake::frame(start.elapsed());
        if ready {
            input(app, event::read()?);
        }
        while let Some(ev) = app.run.as_mut().and_then(|r| r.try_event()) {
            app::update(app, Message::Kernel(ev));
        }
        if app.exam.is_some() {
            app::update(app, Message::Tick);
        }
        if let Some(w) = watch.as_deref_mut()
            && reload::can_swap(app)
            && w.changed()
        {
            reload::apply(app, crate::content::load(Some(w.dir())));
        }
    }
    persist::apply(store, app);
    Ok(())
}

/// Applies one terminal event to the model.
fn input(app: &mut App, ev: TermEvent) {
    let msg = match ev {
        TermEvent::Key(key) => keys::handle_key(app, key),
        TermEvent::Mouse(m) => keys::handle_mouse(m),
        TermEvent::Resize(w, h) => {
            app.size = (w, h);
            app::clamp_scrolls(app);
            None
        }
        _ => None,
    };
    if let Some(msg) = msg {
        app::update(app, msg);
    }
}
