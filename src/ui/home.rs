//! The home screen: chapters and their lessons, with a preview of the selected one.

use super::wrap::{fit, wrap};
use super::{frame_areas, key_hints, theme};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

pub struct HomeView<'a> {
    pub app: &'a App,
}

impl Widget for &HomeView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let [head, body, foot] = frame_areas(area);
        let lib = &app.library;
        Line::from(vec![
            Span::styled("eshikaku", theme::title()),
            Span::raw(" — E資格 学習コンパニオン  "),
            Span::styled(
                format!(
                    "{} レッスン / {} 問  ",
                    lib.lessons.len(),
                    lib.question_count()
                ),
                theme::muted(),
            ),
            Span::styled(due_text(app), theme::heading()),
        ])
        .render(head, buf);

        let [list_area, preview_area] = if body.width >= 70 {
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body)
        } else {
            [body, Rect::default()]
        };
        render_list(app, list_area, buf);
        if !preview_area.is_empty() {
            render_preview(app, preview_area, buf);
        }

        let warning = (app.content_problems > 0).then(|| {
            format!(
                "⚠ {} 件の問題で読み込めないファイルがあります (eshikaku lessons check)",
                app.content_problems
            )
        });
        let status = app.status.as_deref().or(warning.as_deref());
        Paragraph::new(key_hints(
            &[
                ("Enter", "開く"),
                ("t", "演習"),
                ("v", "復習"),
                ("x", "模擬試験"),
                ("s", "統計"),
                ("r", "カーネル"),
                ("?", "ヘルプ"),
                ("q", "終了"),
            ],
            status,
        ))
        .render(foot, buf);
    }
}

fn render_list(app: &App, area: Rect, buf: &mut Buffer) {
    let block = Block::new()
        .borders(Borders::RIGHT)
        .border_style(theme::border());
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width as usize;
    let mut lines = Vec::new();
    let mut selected_row = 0;
    let mut chapter = "";
    for (i, entry) in app.library.lessons.iter().enumerate() {
        let l = &entry.lesson;
        if l.chapter != chapter {
            chapter = &l.chapter;
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(
                fit(app.library.chapter_title(chapter), width),
                theme::chapter(),
            ));
        }
        let marks = marks(app, i);
        let title_w = width.saturating_sub(marks.width());
        if i == app.selected {
            selected_row = lines.len();
            let mut spans = vec![Span::styled(
                pad(&fit(&format!("▸ {}", l.title), title_w), title_w),
                theme::selected(),
            )];
            spans.extend(marks.spans);
            lines.push(Line::from(spans));
        } else {
            let mut spans = vec![Span::raw(pad(
                &fit(&format!("  {}", l.title), title_w),
                title_w,
            ))];
            spans.extend(marks.spans);
            lines.push(Line::from(spans));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("レッスンがありません", theme::muted()));
    }
    let offset = list_offset(selected_row, inner.height);
    Paragraph::new(Text::from(lines))
        .scroll((u16::try_from(offset).unwrap_or(u16::MAX), 0))
        .render(inner, buf);
}

fn render_preview(app: &App, area: Rect, buf: &mut Buffer) {
    let inner = area.inner(ratatui::layout::Margin::new(1, 0));
    let Some(entry) = app.current_lesson() else {
        return;
    };
    let l = &entry.lesson;
    let w = inner.width as usize;
    let mut lines = Vec::new();
    for line in wrap(&l.title, w) {
        lines.push(Line::styled(line, theme::title()));
    }
    for line in wrap(&format!("シラバス: {}", l.syllabus), w) {
        lines.push(Line::styled(line, theme::muted()));
    }
    lines.push(Line::raw(""));
    for line in wrap(&l.summary, w) {
        lines.push(Line::raw(line));
    }
    lines.push(Line::raw(""));
    if let Some(k) = &l.kernel {
        lines.push(Line::from(vec![
            Span::styled("カーネル: ", theme::heading()),
            Span::raw(k.id.clone()),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled("問題: ", theme::heading()),
        Span::raw(format!("{} 問", l.questions.len())),
    ]));
    if let Some(s) = lesson_stats(app, app.selected) {
        let read = s.read;
        let s = &s.counts;
        let accuracy = s
            .accuracy
            .map_or("—".to_string(), |a| format!("{:.0}%", a * 100.0));
        lines.push(Line::from(vec![
            Span::styled("進捗: ", theme::heading()),
            Span::raw(format!(
                "解いた {}/{} 問 · 正答率 {accuracy} · 習熟 {:.0}%{}",
                s.seen,
                s.questions,
                s.mastery * 100.0,
                if read { " · 既読" } else { "" }
            )),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "t で演習、v で復習、x で模擬試験",
        theme::muted(),
    ));
    Paragraph::new(Text::from(lines)).render(inner, buf);
}

/// `今日の復習 5 問` (due cards for today).
fn due_text(app: &App) -> String {
    let due = app.study.stats.as_ref().map_or(0, |s| s.due_today);
    format!("今日の復習 {due} 問")
}

fn lesson_stats(app: &App, index: usize) -> Option<&crate::study::stats::LessonStats> {
    let id = &app.library.lessons.get(index)?.lesson.id;
    app.study
        .stats
        .as_ref()?
        .lessons
        .iter()
        .find(|l| &l.counts.id == id)
}

/// The marks at the end of a lesson row: read, kernel passed, mastery.
struct Marks {
    spans: Vec<Span<'static>>,
}

impl Marks {
    fn width(&self) -> usize {
        self.spans
            .iter()
            .map(|s| super::wrap::width(&s.content))
            .sum()
    }
}

/// ` ✓ K  45%`: ✓ once read, K green when the kernel's last run passed (red when it failed),
/// then the share of the lesson's questions mastered.
fn marks(app: &App, index: usize) -> Marks {
    let Some(s) = lesson_stats(app, index) else {
        return Marks { spans: Vec::new() };
    };
    let read = if s.read {
        Span::styled(" ✓", theme::pass())
    } else {
        Span::styled(" ·", theme::muted())
    };
    let kernel = match s.kernel_passed {
        Some(true) => Span::styled(" K", theme::pass()),
        Some(false) => Span::styled(" K", theme::fail()),
        None => Span::raw("  "),
    };
    let mastery = if s.counts.seen == 0 {
        Span::styled("    —", theme::muted())
    } else {
        Span::styled(
            format!(" {:>3.0}%", s.counts.mastery * 100.0),
            theme::note(),
        )
    };
    Marks {
        spans: vec![read, kernel, mastery],
    }
}

/// `text` padded with spaces to `w` columns.
fn pad(text: &str, w: usize) -> String {
    let have = super::wrap::width(text);
    format!("{text}{}", " ".repeat(w.saturating_sub(have)))
}

/// The first shown row of the lesson list: far enough down that the selected row is visible.
fn list_offset(selected_row: usize, height: u16) -> usize {
    (selected_row + 2).saturating_sub(usize::from(height))
}

/// The lesson whose row is at screen row `y` of the home list on the model's screen, if any.
pub fn lesson_at_row(app: &App, y: u16) -> Option<usize> {
    let [_, body, _] = frame_areas(Rect::new(0, 0, app.size.0, app.size.1));
    if y < body.y || y >= body.bottom() {
        return None;
    }
    // One row per chapter heading, a blank row between chapters, one row per lesson.
    let mut rows: Vec<Option<usize>> = Vec::new();
    let mut chapter = "";
    for (i, entry) in app.library.lessons.iter().enumerate() {
        if entry.lesson.chapter != chapter {
            chapter = &entry.lesson.chapter;
            if !rows.is_empty() {
                rows.push(None);
            }
            rows.push(None);
        }
        rows.push(Some(i));
    }
    let selected_row = rows.iter().position(|r| *r == Some(app.selected))?;
    let offset = list_offset(selected_row, body.height);
    rows.get(offset + usize::from(y - body.y))
        .copied()
        .flatten()
}
