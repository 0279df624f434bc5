//! Rendering: one file per screen, each an `impl Widget for &…View`.

pub mod help;
pub mod home;
pub mod kernel;
pub mod lesson;
pub mod lesson_text;
pub mod plot;
pub mod stats;
pub mod theme;
pub mod values;
pub mod wrap;

use crate::tui::app::{App, Screen};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};

/// Draws the whole app into `frame`.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    match app.screen {
        Screen::Home => frame.render_widget(&home::HomeView { app }, area),
        Screen::Lesson => frame.render_widget(&lesson::LessonView { app }, area),
        Screen::Kernel => frame.render_widget(&kernel::KernelView { app }, area),
    }
    if app.show_help {
        frame.render_widget(&help::HelpView { screen: app.screen }, area);
    }
}

/// A footer line of key hints: `[("j/k", "移動"), …]`, plus an optional status message.
pub fn key_hints(hints: &[(&str, &str)], status: Option<&str>) -> Line<'static> {
    let mut spans = Vec::new();
    if let Some(s) = status {
        spans.push(Span::styled(format!("{s}  "), theme::warn()));
    }
    for (k, what) in hints {
        spans.push(Span::styled(k.to_string(), theme::key()));
        spans.push(Span::styled(format!(" {what}  "), theme::muted()));
    }
    Line::from(spans)
}

/// A header row: `left` takes what `right` (kept whole, at the right edge) leaves.
pub fn header(
    left: Line,
    right: Line,
    area: ratatui::layout::Rect,
    buf: &mut ratatui::buffer::Buffer,
) {
    use ratatui::widgets::Widget;
    let right_w = u16::try_from(right.width())
        .unwrap_or(u16::MAX)
        .min(area.width);
    let [l, r] = Layout::horizontal([Constraint::Min(0), Constraint::Length(right_w)]).areas(area);
    left.render(l, buf);
    right.render(r, buf);
}

/// Splits an area into header (1 line), body and footer (1 line).
pub fn frame_areas(area: ratatui::layout::Rect) -> [ratatui::layout::Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area)
}
