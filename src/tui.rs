//! The interactive TUI: terminal set-up, the event loop, and restoring the terminal.

pub mod app;
pub mod effect;
pub mod keys;
pub mod persist;
pub mod runner;
pub mod study;

use crate::study::clock::{Clock, SystemClock};
use app::{App, Message};
use ratatui::crossterm::event::{self, Event as TermEvent};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

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
    // `ratatui::try_init` also installs a panic hook that restores the terminal before the
    // panic message is printed.
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            eprintln!("error: cannot set up the terminal: {e}");
            return ExitCode::from(2);
        }
    };
    let result = run(&mut terminal, &mut app, &store);
    ratatui::restore();
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

fn run(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    store: &crate::study::store::Store,
) -> std::io::Result<()> {
    let start = std::time::Instant::now();
    while !app.quit {
        app.tick = u64::try_from(start.elapsed().as_millis() / 40).unwrap_or(u64::MAX);
        app.now = SystemClock.now();
        let size = terminal.size()?;
        app.size = (size.width, size.height);
        if app.exam.is_some() {
            app::update(app, Message::Tick);
        }
        persist::apply(store, app);
        terminal.draw(|f| crate::ui::render(app, f))?;
        // Wait briefly for a key; in between, pick up what a running kernel has sent.
        if event::poll(Duration::from_millis(40))? {
            match event::read()? {
                TermEvent::Key(key) => {
                    if let Some(msg) = keys::handle_key(app, key) {
                        app::update(app, msg);
                    }
                }
                TermEvent::Resize(..) => {}
                _ => {}
            }
        }
        while let Some(ev) = app.run.as_mut().and_then(|r| r.try_event()) {
            app::update(app, Message::Kernel(ev));
        }
    }
    persist::apply(store, app);
    Ok(())
}
