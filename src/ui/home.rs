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
                    "{} レッスン / {} 問",
                    lib.lessons.len(),
                    lib.question_count()
                ),
                theme::muted(),
            ),
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
                ("j/k", "移動"),
                ("Enter", "開く"),
                ("r", "カーネル実行"),
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
        if i == app.selected {
            selected_row = lines.len();
            lines.push(Line::styled(
                fit(&format!("▸ {}", l.title), width),
                theme::selected(),
            ));
        } else {
            lines.push(Line::raw(fit(&format!("  {}", l.title), width)));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("レッスンがありません", theme::muted()));
    }
    let height = inner.height as usize;
    let offset = (selected_row + 2).saturating_sub(height);
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
    Paragraph::new(Text::from(lines)).render(inner, buf);
}
