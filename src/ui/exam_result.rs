//! The mock exam's result: scores per chapter and area, time, and the wrong answers, each of
//! which opens its lesson.

use super::wrap::{fit, width, wrap};
use super::{frame_areas, key_hints, theme};
use crate::study::exam::Exam;
use crate::study::records::Score;
use crate::study::report::{Kind, bar_name_width, lines};
use crate::tui::app::App;
use crate::tui::study::ExamState;
use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Widget};

/// Draws the result of the submitted `exam`.
pub fn render(app: &App, st: &ExamState, exam: &Exam, area: Rect, buf: &mut Buffer) {
    let Some(record) = &exam.result else { return };
    let [head, body, foot] = frame_areas(area);
    Line::styled("模擬試験 — 結果", theme::title()).render(head, buf);
    let inner = body.inner(Margin::new(1, 0));
    let w = usize::from(inner.width);
    let report = lines(&app.library, record);
    let name_w = bar_name_width(&report, w / 2);
    let mut out: Vec<Line> = Vec::new();
    let mut selected_at = None;
    // The header already names the screen.
    for l in report.iter().filter(|l| l.kind != Kind::Title) {
        if let Some(s) = &l.score {
            out.push(score_line(
                &l.text,
                s,
                name_w,
                w.saturating_sub(name_w + 16).min(30),
            ));
            continue;
        }
        let selected = l.wrong.is_some() && l.wrong == Some(st.result_cursor);
        if selected && selected_at.is_none() {
            selected_at = Some(out.len());
        }
        let style = style_of(l.kind);
        let lead = match (l.wrong, selected) {
            (Some(_), true) => "▌ ",
            (Some(_), false) => "  ",
            (None, _) => "",
        };
        if l.text.is_empty() {
            out.push(Line::raw(""));
        }
        for piece in wrap(&l.text, w.saturating_sub(width(lead)).max(1)) {
            if l.text.is_empty() {
                break;
            }
            out.push(Line::from(vec![
                Span::styled(lead, theme::key()),
                Span::styled(piece, style),
            ]));
        }
    }
    let height = usize::from(inner.height);
    let scroll = match selected_at {
        Some(at) if at + 4 > height => at.saturating_sub(height / 3),
        _ => 0,
    };
    let scroll = (scroll + st.scroll).min(out.len().saturating_sub(height));
    Paragraph::new(Text::from(out))
        .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
        .render(inner, buf);
    Paragraph::new(key_hints(
        &[
            ("j/k", "誤答を選ぶ"),
            ("Enter", "レッスンを開く"),
            ("q", "戻る"),
        ],
        app.status.as_deref(),
    ))
    .render(foot, buf);
}

fn style_of(kind: Kind) -> Style {
    match kind {
        Kind::Title => theme::title(),
        Kind::Heading => theme::heading(),
        Kind::Muted => theme::muted(),
        Kind::Good => theme::pass(),
        Kind::Bad => theme::fail(),
        Kind::Text | Kind::Bar => Style::new(),
    }
}

/// `name  ████░░░░   7/10   70%`.
fn score_line(name: &str, s: &Score, name_w: usize, bar_w: usize) -> Line<'static> {
    let filled = ((s.ratio() * bar_w as f64).round() as usize).min(bar_w);
    let style = if s.ratio() >= 0.7 {
        theme::pass()
    } else {
        theme::fail()
    };
    let name = fit(name, name_w);
    let pad = " ".repeat(name_w.saturating_sub(width(&name)));
    Line::from(vec![
        Span::raw(format!("{name}{pad} ")),
        Span::styled("█".repeat(filled), style),
        Span::styled("░".repeat(bar_w - filled), theme::muted()),
        Span::raw(format!(
            " {:>3}/{:<3} {:>3.0}%",
            s.correct,
            s.total,
            s.ratio() * 100.0
        )),
    ])
}
