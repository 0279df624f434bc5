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
        app.lesson_max_scroll.set(max_scroll);
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
        Paragraph::new(Text::from(lines))
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .render(text_area, buf);
        let mut hints = vec![("j/k", "スクロール"), ("Space/b", "ページ")];
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
