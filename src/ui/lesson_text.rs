//! A lesson laid out as styled lines for a given width (Japanese wrapped by display width).

use super::theme;
use super::wrap::wrap;
use crate::content::model::Lesson;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The lesson as lines no wider than `width` columns.
pub fn lines(l: &Lesson, chapter_title: &str, width: usize) -> Vec<Line<'static>> {
    layout(l, chapter_title, width).0
}

/// The lesson's lines as plain text (for searching), laid out as [`lines`] lays them out.
pub fn plain_lines(l: &Lesson, chapter_title: &str, width: usize) -> Vec<String> {
    lines(l, chapter_title, width)
        .iter()
        .map(|line| line.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

/// The line at which body section `section` starts when laid out at `width` columns.
pub fn section_line(l: &Lesson, chapter_title: &str, width: usize, section: usize) -> usize {
    layout(l, chapter_title, width)
        .1
        .get(section)
        .copied()
        .unwrap_or(0)
}

/// The lesson's lines and the line index where each body section starts.
fn layout(l: &Lesson, chapter_title: &str, width: usize) -> (Vec<Line<'static>>, Vec<usize>) {
    let mut out = Vec::new();
    let mut starts = Vec::new();
    let push = |out: &mut Vec<Line<'static>>, text: &str, style: Style, indent: usize| {
        for line in wrap(text, width.saturating_sub(indent)) {
            out.push(Line::styled(format!("{}{line}", " ".repeat(indent)), style));
        }
    };
    push(&mut out, &l.title, theme::title(), 0);
    push(
        &mut out,
        &format!("{chapter_title} ・ シラバス: {}", l.syllabus),
        theme::muted(),
        0,
    );
    out.push(Line::raw(""));
    if !l.summary.is_empty() {
        push(&mut out, &l.summary, Style::new(), 0);
        out.push(Line::raw(""));
    }
    for s in &l.body {
        starts.push(out.len());
        push(&mut out, &format!("■ {}", s.heading), theme::heading(), 0);
        push(&mut out, s.text.trim_end(), Style::new(), 0);
        out.push(Line::raw(""));
    }
    if !l.formulas.is_empty() {
        push(&mut out, "■ 数式", theme::heading(), 0);
        for f in &l.formulas {
            push(&mut out, &f.name, theme::muted(), 2);
            push(&mut out, &f.expr, theme::formula(), 4);
            if !f.note.is_empty() {
                push(&mut out, &f.note, Style::new(), 4);
            }
        }
        out.push(Line::raw(""));
    }
    if !l.key_points.is_empty() {
        push(&mut out, "■ 要点", theme::heading(), 0);
        for k in &l.key_points {
            push(&mut out, &format!("- {k}"), Style::new(), 2);
        }
        out.push(Line::raw(""));
    }
    if let Some(k) = &l.kernel {
        out.push(Line::from(vec![
            Span::styled("■ カーネル ", theme::heading()),
            Span::raw(format!("{}  ", k.id)),
            Span::styled("r", theme::key()),
            Span::styled(" でステップ実行", theme::muted()),
        ]));
        out.push(Line::raw(""));
    }
    if !l.questions.is_empty() {
        push(
            &mut out,
            &format!("■ 問題 ({} 問)", l.questions.len()),
            theme::heading(),
            0,
        );
        out.push(Line::from(vec![
            Span::raw("  "),
            Span::styled("t", theme::key()),
            Span::styled(
                " でこのレッスンの問題を演習 (ホームの v で復習、x で模擬試験)",
                theme::muted(),
            ),
        ]));
        out.push(Line::raw(""));
    }
    if !l.references.is_empty() {
        push(&mut out, "■ 参考文献", theme::heading(), 0);
        for r in &l.references {
            let url = if r.url.is_empty() {
                String::new()
            } else {
                format!(" {}", r.url)
            };
            push(&mut out, &format!("- {}{url}", r.title), theme::muted(), 2);
        }
    }
    (out, starts)
}
