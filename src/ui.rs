//! Rendering: one file per screen, each an `impl Widget for &…View`.

pub mod exam;
pub mod exam_result;
pub mod help;
pub mod home;
pub mod image;
pub mod kernel;
pub mod knob_form;
pub mod lesson;
pub mod lesson_text;
pub mod plot;
pub mod question;
pub mod quiz;
pub mod search;
pub mod search_match;
pub mod stats;
pub mod step_parts;
pub mod theme;
pub mod values;
/// Text width and wrapping live at the crate root (the CLI and `trace_view` use them too).
pub use crate::wrap;

use crate::tui::app::{App, Screen};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};

/// The smallest terminal (columns, rows) the screens are laid out for.
pub const MIN_SIZE: (u16, u16) = (40, 10);

/// Draws the whole app into `frame`.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        frame.render_widget(TooSmall, area);
        return;
    }
    match app.screen {
        Screen::Home => frame.render_widget(&home::HomeView { app }, area),
        Screen::Lesson => frame.render_widget(&lesson::LessonView { app }, area),
        Screen::Kernel => frame.render_widget(&kernel::KernelView { app }, area),
        Screen::Quiz => frame.render_widget(&quiz::QuizView { app }, area),
        Screen::Exam => frame.render_widget(&exam::ExamView { app }, area),
        Screen::Stats => {
            if let Some(stats) = &app.study.stats {
                let view = stats::StatsView {
                    stats,
                    library: &app.library,
                    scroll: app.stats_scroll,
                };
                frame.render_widget(&view, area);
            }
        }
    }
    if let Some(form) = &app.knob_form {
        let view = knob_form::KnobFormView {
            form,
            status: app.status.as_deref(),
        };
        frame.render_widget(&view, area);
    }
    if app.search.is_some() {
        frame.render_widget(&search::SearchView { app }, area);
    }
    if app.show_help {
        frame.render_widget(&help::HelpView { screen: app.screen }, area);
    }
    if wrap::ambiguous_wide() {
        widen_ambiguous(frame.buffer_mut());
    }
}

/// For terminals that draw ambiguous-width characters two columns wide: after each such
/// character the rest of its row moves one cell right and the cell it covers is skipped, so
/// the terminal's cursor and the buffer agree (the row's last cells fall off the edge).
fn widen_ambiguous(buf: &mut ratatui::buffer::Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let ambiguous = buf
                .cell((x, y))
                .is_some_and(|c| c.symbol().chars().next().is_some_and(wrap::is_ambiguous));
            if ambiguous && x + 1 < area.right() {
                for to in (x + 2..area.right()).rev() {
                    let from = buf[(to - 1, y)].clone();
                    buf[(to, y)] = from;
                }
                buf[(x + 1, y)]
                    .set_symbol(" ")
                    .set_diff_option(ratatui::buffer::CellDiffOption::Skip);
                x += 2;
            } else {
                x += 1;
            }
        }
    }
}

/// The notice shown instead of a screen on a terminal below [`MIN_SIZE`].
struct TooSmall;

impl ratatui::widgets::Widget for TooSmall {
    fn render(self, area: ratatui::layout::Rect, buf: &mut ratatui::buffer::Buffer) {
        use ratatui::widgets::Paragraph;
        let text = format!(
            "端末が小さすぎます (必要: {}×{}、現在: {}×{})",
            MIN_SIZE.0, MIN_SIZE.1, area.width, area.height
        );
        let lines: Vec<Line> = wrap::wrap(&text, usize::from(area.width))
            .into_iter()
            .map(|l| Line::styled(l, theme::warn()))
            .collect();
        let h = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .min(area.height);
        let y = area.y + (area.height - h) / 2;
        let rect = ratatui::layout::Rect::new(area.x, y, area.width, h);
        Paragraph::new(lines)
            .alignment(ratatui::layout::Alignment::Center)
            .render(rect, buf);
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

/// Clears `area` for a popup without leaving half of a wide character at either edge: a wide
/// character just left of the popup whose right half the border covers, or one inside the popup
/// whose right half sticks out past its right edge, is blanked (the straddled cell on both sides).
pub fn clear_popup(area: ratatui::layout::Rect, buf: &mut ratatui::buffer::Buffer) {
    use ratatui::widgets::Widget;
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        if area.x > buf.area.x {
            blank_if_wide(buf, area.x - 1, y);
        }
        if area.width > 0 && area.right() < buf.area.right() {
            // A wide character starting on the last column covers the first column outside.
            let last = area.right() - 1;
            if buf
                .cell((last, y))
                .is_some_and(|c| wrap::width(c.symbol()) > 1)
                && let Some(cell) = buf.cell_mut((area.right(), y))
            {
                cell.set_symbol(" ");
            }
        }
    }
    ratatui::widgets::Clear.render(area, buf);
}

/// Blanks the cell at (`x`, `y`) if it holds a wide character.
fn blank_if_wide(buf: &mut ratatui::buffer::Buffer, x: u16, y: u16) {
    if let Some(cell) = buf.cell_mut((x, y))
        && wrap::width(cell.symbol()) > 1
    {
        cell.set_symbol(" ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::{Buffer, CellDiffOption};
    use ratatui::layout::Rect;

    #[test]
    fn ambiguous_characters_get_two_cells_when_widened() {
        let mut buf = Buffer::with_lines(["aΣb│"]);
        widen_ambiguous(&mut buf);
        assert!(wrap::is_ambiguous('Σ') && wrap::is_ambiguous('−'));
        assert!(!wrap::is_ambiguous('│') && !wrap::is_ambiguous('▀'));
        assert_eq!(buf[(1, 0)].symbol(), "Σ");
        assert_eq!(buf[(2, 0)].diff_option, CellDiffOption::Skip);
        assert_eq!(buf[(3, 0)].symbol(), "b", "the rest of the row moves right");
    }

    #[test]
    fn a_popup_blanks_wide_characters_it_straddles_on_both_edges() {
        // "あいうえお" covers columns 0..10; a popup over columns 3..7 cuts "い" (2–3) on the
        // left and "え" (6–7) on the right.
        let mut buf = Buffer::with_lines(["あいうえおxx"]);
        clear_popup(Rect::new(3, 0, 4, 1), &mut buf);
        assert_eq!(buf[(2, 0)].symbol(), " ", "left half of い blanked");
        assert_eq!(buf[(7, 0)].symbol(), " ", "right half of え blanked");
        assert_eq!(buf[(0, 0)].symbol(), "あ");
        assert_eq!(buf[(8, 0)].symbol(), "お");
    }
}
