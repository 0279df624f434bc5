//! Defence in depth for the TUI: even a lesson that slipped past `lessons check` with terminal
//! escape sequences in its text draws only inert cells (no control character reaches a cell,
//! so none reaches the terminal).

use eshikaku::content;
use eshikaku::tui::app::{App, Message, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;

const ESCAPES: &str = "\u{1b}]0;PWNED\u{7} \u{1b}[2J\u{9b}31m\r\u{7f}";

/// The cells of the screen that hold a control character, as `(x, y, symbol)`, and whether
/// the hostile text was drawn at all (its printable part, `PWNED`).
fn control_cells(app: &App) -> (Vec<(u16, u16, String)>, bool) {
    let mut t = Terminal::new(TestBackend::new(100, 30)).expect("test backend");
    t.draw(|f| eshikaku::ui::render(app, f)).expect("draw");
    let buf = t.backend().buffer();
    let mut out = Vec::new();
    let mut text = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            text.push_str(sym);
            if sym.contains(char::is_control) {
                out.push((x, y, sym.to_string()));
            }
        }
    }
    (out, text.contains("PWNED"))
}

#[test]
fn escape_sequences_in_lesson_text_never_reach_a_cell() {
    let chapters =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile/chapter_escape");
    let loaded = content::load(Some(&chapters));
    let mut library = loaded.library;
    let entry = library.lessons.first_mut().expect("a built-in lesson");
    let lesson = &mut entry.lesson;
    lesson.chapter = "evil".into();
    lesson.title = format!("title {ESCAPES}");
    lesson.summary = format!("summary {ESCAPES}");
    lesson.key_points.push(format!("point {ESCAPES}"));
    if let Some(section) = lesson.body.first_mut() {
        section.heading = format!("heading {ESCAPES}");
        section.text = format!("text {ESCAPES}\n- bullet {ESCAPES}");
    }
    let mut app = App::new(library, 1);
    assert_eq!(control_cells(&app), (vec![], true), "home screen");
    update(&mut app, Message::Open);
    assert_eq!(control_cells(&app), (vec![], true), "lesson screen");
}
