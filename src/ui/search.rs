//! The search screen (`/`): the query as typed and every hit with its line in context.

use super::search_match::highlight;
use super::wrap::fit;
use super::{frame_areas, key_hints, theme};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph, StatefulWidget, Widget};

pub struct SearchView<'a> {
    pub app: &'a App,
}

impl Widget for &SearchView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let Some(st) = &app.search else { return };
        Clear.render(area, buf);
        let [head, body, foot] = frame_areas(area);
        let count = if st.query.trim().is_empty() {
            "語を入力 (日本語・英語、大文字小文字を区別しない)".to_string()
        } else if st.total > st.hits.len() {
            format!("{} 件 (先頭 {} 件を表示)", st.total, st.hits.len())
        } else {
            format!("{} 件", st.total)
        };
        super::header(
            Line::from(vec![
                Span::styled("検索 / ", theme::title()),
                Span::raw(st.query.clone()),
                Span::styled("▏", theme::key()),
            ]),
            Line::styled(format!(" {count}"), theme::muted()),
            head,
            buf,
        );
        let inner = body.inner(Margin::new(1, 0));
        let width = usize::from(inner.width);
        let items: Vec<ListItem> = st
            .hits
            .iter()
            .map(|h| {
                let l = app.library.lessons.get(h.lesson).map(|e| &e.lesson);
                let title = l.map_or(String::new(), |l| {
                    format!("{}  {}", l.title, app.library.chapter_title(&l.chapter))
                });
                let context = Line::styled(
                    format!("  {}", fit(&h.context, width.saturating_sub(2))),
                    theme::muted(),
                );
                ListItem::new(Text::from(vec![
                    Line::styled(fit(&title, width), theme::heading()),
                    highlight(context, &st.query, theme::found()),
                ]))
            })
            .collect();
        if items.is_empty() && !st.query.trim().is_empty() {
            Paragraph::new(Line::styled("見つかりません", theme::muted())).render(inner, buf);
        }
        let mut state = ListState::default()
            .with_selected(Some(st.selected))
            .with_offset(first_shown(st.selected, inner.height));
        StatefulWidget::render(
            List::new(items).highlight_style(theme::selected_row()),
            inner,
            buf,
            &mut state,
        );
        Paragraph::new(key_hints(
            &[
                ("↑/↓", "選択"),
                ("Enter", "開く"),
                ("Ctrl-u", "消去"),
                ("Esc", "閉じる"),
            ],
            app.status.as_deref(),
        ))
        .render(foot, buf);
    }
}

/// Rows each hit takes in the list (title and context).
const HIT_ROWS: u16 = 2;

/// The first hit shown when `selected` must be visible in `height` rows.
pub fn first_shown(selected: usize, height: u16) -> usize {
    let fits = usize::from((height / HIT_ROWS).max(1));
    (selected + 1).saturating_sub(fits)
}

/// The hit whose rows include screen row `y` on a screen of `size`, if any.
pub fn hit_at_row(selected: usize, size: (u16, u16), y: u16) -> Option<usize> {
    let [_, body, _] = frame_areas(Rect::new(0, 0, size.0, size.1));
    if y < body.y || y >= body.bottom() {
        return None;
    }
    Some(first_shown(selected, body.height) + usize::from((y - body.y) / HIT_ROWS))
}
