//! The lesson screen: the lesson text, scrollable.

use super::{frame_areas, key_hints, lesson_text, theme};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Widget};

pub struct LessonView<'a> {
    pub app: &'a App,
}

impl Widget for &LessonView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let [head, body, foot] = frame_areas(area);
        let Some(entry) = app.current_lesson() else {
            return;
        };
        let l = &entry.lesson;
        let text_area = body.inner(Margin::new(1, 0));
        let lines = lesson_text::lines(
            l,
            app.library.chapter_title(&l.chapter),
            text_area.width as usize,
        );
        let max_scroll = lines.len().saturating_sub(text_area.height as usize);
        let scroll = app.lesson_scroll.min(max_scroll);
        let pct = (scroll * 100).checked_div(max_scroll).unwrap_or(100);
        super::header(
            Line::from(vec![
                Span::styled(l.title.clone(), theme::title()),
                Span::styled(
                    format!("  {}", app.library.chapter_title(&l.chapter)),
                    theme::muted(),
                ),
            ]),
            Line::styled(format!(" {pct:>3}%"), theme::muted()),
            head,
            buf,
        );
        let lines = highlight_hits(app, lines, scroll, text_area.height);
        Paragraph::new(Text::from(lines))
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .render(text_area, buf);
        let mut hints = vec![("j/k", "スクロール"), ("Space/b", "ページ"), ("/", "検索")];
        if app.lesson_query.is_some() {
            hints.push(("n/N", "次/前の一致"));
        }
        if l.kernel.is_some() {
            hints.push(("r", "カーネル実行"));
        }
        if !l.questions.is_empty() {
            hints.push(("t", "演習"));
        }
        hints.extend([("?", "ヘルプ"), ("q", "戻る")]);
        Paragraph::new(key_hints(&hints, app.status.as_deref())).render(foot, buf);
    }
}

/// Where the lesson text goes on a screen of `size` (columns, rows).
pub fn text_area(size: (u16, u16)) -> Rect {
    let [_, body, _] = frame_areas(Rect::new(0, 0, size.0, size.1));
    body.inner(Margin::new(1, 0))
}

/// The largest useful scroll offset of the open lesson on the model's screen size.
pub fn max_scroll(app: &App) -> usize {
    let Some(entry) = app.current_lesson() else {
        return 0;
    };
    let area = text_area(app.size);
    let l = &entry.lesson;
    let lines = lesson_text::lines(
        l,
        app.library.chapter_title(&l.chapter),
        area.width as usize,
    );
    lines.len().saturating_sub(area.height as usize)
}

/// `lines` with the last search query highlighted in the visible ones (the hit the lesson was
/// opened at more strongly).
fn highlight_hits(
    app: &App,
    mut lines: Vec<Line<'static>>,
    scroll: usize,
    height: u16,
) -> Vec<Line<'static>> {
    let Some(query) = &app.lesson_query else {
        return lines;
    };
    let end = (scroll + usize::from(height)).min(lines.len());
    for (n, line) in lines.iter_mut().enumerate().take(end).skip(scroll) {
        let style = if app.lesson_hit == Some(n) {
            theme::found_current()
        } else {
            theme::found()
        };
        *line = super::search_match::highlight(std::mem::take(line), query, style);
    }
    lines
}
