//! Random key sequences over every screen (home, lesson, help, practice, review, mock exam,
//! result, statistics) with the clock moving and renders at random sizes: no panic, and the
//! model stays consistent.

use eshikaku::content;
use eshikaku::tui::app::{App, Message, Screen, update};
use eshikaku::tui::keys::handle_key;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Keys that mean something somewhere (kernel runs, `r`, are left out: they start real threads).
const KEYS: &[KeyCode] = &[
    KeyCode::Char('j'),
    KeyCode::Char('k'),
    KeyCode::Char('q'),
    KeyCode::Char('t'),
    KeyCode::Char('v'),
    KeyCode::Char('x'),
    KeyCode::Char('s'),
    KeyCode::Char('1'),
    KeyCode::Char('2'),
    KeyCode::Char('3'),
    KeyCode::Char('4'),
    KeyCode::Char('5'),
    KeyCode::Char('9'),
    KeyCode::Char('0'),
    KeyCode::Char('n'),
    KeyCode::Char('p'),
    KeyCode::Char('f'),
    KeyCode::Char('y'),
    KeyCode::Char('o'),
    KeyCode::Char('?'),
    KeyCode::Char('g'),
    KeyCode::Char('G'),
    KeyCode::Char(' '),
    KeyCode::Char('b'),
    KeyCode::Char('h'),
    KeyCode::Char('l'),
    KeyCode::Enter,
    KeyCode::Esc,
    KeyCode::Left,
    KeyCode::Right,
    KeyCode::Up,
    KeyCode::Down,
    KeyCode::PageUp,
    KeyCode::PageDown,
    KeyCode::Home,
    KeyCode::End,
    KeyCode::Tab,
    KeyCode::BackTab,
    KeyCode::Backspace,
];

fn fresh() -> App {
    let loaded = content::load(None);
    let mut app = App::new(loaded.library, 0);
    app.now = 1_796_115_600_000;
    app.study.refresh(&app.library, app.now);
    app
}

#[test]
fn thousands_of_random_keys_never_panic() {
    let mut rng = StdRng::seed_from_u64(2026);
    let mut app = fresh();
    let mut seen = Vec::new();
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("backend");
    for i in 0..10_000 {
        let code = KEYS[rng.random_range(0..KEYS.len())];
        if let Some(msg) = handle_key(&app, KeyEvent::new(code, KeyModifiers::NONE)) {
            update(&mut app, msg);
        }
        app.now += rng.random_range(0..20_000);
        update(&mut app, Message::Tick);
        app.effects.clear();
        if !seen.contains(&app.screen) {
            seen.push(app.screen);
        }
        if app.quit {
            app = fresh();
        }
        if i % 50 == 0 {
            let (w, h) = (rng.random_range(1..160), rng.random_range(1..50));
            term.backend_mut().resize(w, h);
            app.size = (w, h);
            term.draw(|f| eshikaku::ui::render(&app, f)).expect("draw");
        }
        if let Some(q) = &app.quiz {
            assert!(
                q.round.answered <= q.round.total,
                "answered more than asked"
            );
        }
    }
    for s in [
        Screen::Home,
        Screen::Lesson,
        Screen::Quiz,
        Screen::Exam,
        Screen::Stats,
    ] {
        assert!(seen.contains(&s), "the walk never reached {s:?}");
    }
}
