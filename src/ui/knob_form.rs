//! The knob form popup (`e` in the kernel lab): each knob's value, range and meaning; an
//! invalid value is explained in red on its own row as it is typed.

use super::wrap::{fit, width, wrap};
use super::{key_hints, theme};
use crate::tui::knob_form::{KnobForm, range_ja};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph, Widget};

pub struct KnobFormView<'a> {
    pub form: &'a KnobForm,
    pub status: Option<&'a str>,
}

impl Widget for &KnobFormView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let f = self.form;
        let rows = u16::try_from(f.fields.len() + 1 + 6).unwrap_or(u16::MAX);
        let popup = area.centered(
            Constraint::Max(area.width.saturating_sub(4).min(100)),
            Constraint::Max(area.height.saturating_sub(2).min(rows)),
        );
        super::clear_popup(popup, buf);
        let block = Block::bordered()
            .title(format!(" {} の設定 (knobs) ", f.kernel.id))
            .border_style(theme::key());
        let inner = block.inner(popup);
        block.render(popup, buf);
        let [rows_area, doc_area, foot] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(3),
            Constraint::Length(1),
        ])
        .areas(inner);
        let w = usize::from(rows_area.width);
        let name_w = f
            .fields
            .iter()
            .map(|x| width(x.spec.name))
            .chain([width("seed")])
            .max()
            .unwrap_or(4)
            + 1;
        let mut lines = vec![row(
            name_w,
            "seed",
            &f.seed,
            f.seed_error.as_deref(),
            "整数 (Ctrl-r で新しい値)",
            f.cursor == 0,
            w,
        )];
        for (i, x) in f.fields.iter().enumerate() {
            let range = range_ja(&x.spec);
            let line = row(
                name_w,
                x.spec.name,
                &x.text,
                x.error.as_deref(),
                &range,
                f.cursor == i + 1,
                w,
            );
            lines.push(line);
        }
        let selected = f.cursor;
        let offset = (selected + 1).saturating_sub(usize::from(rows_area.height));
        Paragraph::new(Text::from(lines))
            .scroll((u16::try_from(offset).unwrap_or(0), 0))
            .render(rows_area, buf);
        let doc = match selected.checked_sub(1).and_then(|i| f.fields.get(i)) {
            Some(x) => format!(
                "{}: {} (既定値 {})",
                x.spec.name,
                x.spec.doc,
                x.spec.default_value()
            ),
            None => "seed: 乱数の種。同じ設定と seed なら同じ結果になります".to_string(),
        };
        let doc_lines: Vec<Line> = wrap(&doc, usize::from(doc_area.width))
            .into_iter()
            .take(3)
            .map(|l| Line::styled(l, theme::note()))
            .collect();
        Paragraph::new(doc_lines).render(doc_area, buf);
        Paragraph::new(key_hints(
            &[
                ("Enter", "実行"),
                ("Esc", "閉じる"),
                ("↑/↓", "選択"),
                ("←/→", "切替"),
                ("C-r", "新 seed"),
                ("C-d", "既定値"),
            ],
            self.status,
        ))
        .render(foot, buf);
    }
}

/// Columns of the value column (longer values push the range to the right).
const VALUE_W: usize = 10;

/// `name  value▏  range` or, when invalid, `name  value▏  ✗ why`.
fn row(
    name_w: usize,
    name: &str,
    text: &str,
    error: Option<&str>,
    range: &str,
    selected: bool,
    w: usize,
) -> Line<'static> {
    let value_style = match (selected, error.is_some()) {
        (_, true) => theme::fail(),
        (true, false) => theme::selected(),
        (false, false) => theme::formula(),
    };
    let mark = if selected { "▸ " } else { "  " };
    let value = format!("{text}{}", if selected { "▏" } else { "" });
    let value = format!(
        "{value}{}",
        " ".repeat(VALUE_W.saturating_sub(width(&value)))
    );
    let used = 2 + name_w + width(&value) + 2;
    let tail = match error {
        Some(e) => Span::styled(
            fit(&format!("✗ {e}"), w.saturating_sub(used)),
            theme::fail(),
        ),
        None => Span::styled(fit(range, w.saturating_sub(used)), theme::muted()),
    };
    Line::from(vec![
        Span::styled(mark.to_string(), theme::key()),
        Span::raw(format!(
            "{name}{}",
            " ".repeat(name_w.saturating_sub(width(name)))
        )),
        Span::styled(value, value_style),
        Span::raw("  "),
        tail,
    ])
}
