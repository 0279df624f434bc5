//! The mock exam screen: choosing its size, the running exam with its countdown, and the result.

use super::question::{self, Marks};
use super::wrap::{fit, wrap};
use super::{frame_areas, key_hints, theme};
use crate::study::exam::Exam;
use crate::tui::app::App;
use crate::tui::study::{Confirm, EXAM_SIZES, ExamState};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

pub struct ExamView<'a> {
    pub app: &'a App,
}

impl Widget for &ExamView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let Some(st) = &app.exam else { return };
        match (&st.exam, st.setup) {
            (_, Some(i)) => setup(app, i, area, buf),
            (Some(exam), None) if exam.is_submitted() => {
                super::exam_result::render(app, st, exam, area, buf)
            }
            (Some(exam), None) => running(app, st, exam, area, buf),
            (None, None) => {}
        }
    }
}

fn setup(app: &App, chosen: usize, area: Rect, buf: &mut Buffer) {
    let [head, body, foot] = frame_areas(area);
    Line::styled("模擬試験", theme::title()).render(head, buf);
    let bank = app.library.question_count();
    let mut lines = vec![
        Line::raw("本番の E資格 は約 100 問を 120 分 (1 問 72 秒) で解きます。"),
        Line::raw("問題数を選んでください。制限時間は 1 問 72 秒で決まります。"),
        Line::raw(""),
    ];
    for (i, &n) in EXAM_SIZES.iter().enumerate() {
        let n = n.min(bank);
        let text = format!(
            "{} {}  {n} 問 / {} 分",
            if i == chosen { "▸" } else { " " },
            i + 1,
            (n * 72).div_ceil(60)
        );
        lines.push(if i == chosen {
            Line::styled(text, theme::selected())
        } else {
            Line::raw(text)
        });
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "出題は章ごとの問題数に比例します。提出するまで解答の変更とフラグ付けができ、結果は最後にまとめて表示されます。",
        theme::muted(),
    ));
    Paragraph::new(Text::from(lines))
        .wrap(Wrap { trim: false })
        .render(body.inner(Margin::new(1, 0)), buf);
    Paragraph::new(key_hints(
        &[("j/k", "選択"), ("Enter", "開始"), ("q", "戻る")],
        app.status.as_deref(),
    ))
    .render(foot, buf);
}

fn running(app: &App, st: &ExamState, exam: &Exam, area: Rect, buf: &mut Buffer) {
    let [head, body, foot] = frame_areas(area);
    let left = exam.remaining_ms(app.now);
    let flagged = exam.items.iter().filter(|i| i.flagged).count();
    let timer_style = if left < 5 * 60_000 {
        theme::fail()
    } else {
        theme::title()
    };
    super::header(
        Line::from(vec![
            Span::styled("模擬試験", theme::title()),
            Span::styled(
                format!(
                    "  問 {}/{}  解答済 {}  ⚑ {flagged}",
                    exam.current + 1,
                    exam.items.len(),
                    exam.answered()
                ),
                theme::muted(),
            ),
        ]),
        Line::styled(
            format!(" 残り {} ", crate::study::report::clock(left)),
            timer_style,
        ),
        head,
        buf,
    );
    let inner = body.inner(Margin::new(1, 0));
    let nav = navigator(exam, usize::from(inner.width));
    let nav_h = u16::try_from(nav.len())
        .unwrap_or(u16::MAX)
        .min(inner.height / 3);
    let [nav_area, q_area] =
        Layout::vertical([Constraint::Length(nav_h + 1), Constraint::Min(0)]).areas(inner);
    Paragraph::new(Text::from(nav)).render(nav_area, buf);
    if let Some(it) = exam.items.get(exam.current)
        && let Some((entry, q)) = it.item.get(&app.library)
    {
        let w = usize::from(q_area.width);
        let mut lines = vec![Line::styled(
            fit(app.library.chapter_title(&entry.lesson.chapter), w),
            theme::muted(),
        )];
        let marks = Marks {
            cursor: Some(st.cursor),
            chosen: it.chosen,
            correct: None,
        };
        lines.extend(question::lines(q, &it.shuffled, marks, w));
        if it.flagged {
            lines.push(Line::styled("⚑ 見直し", theme::warn()));
        }
        Paragraph::new(Text::from(lines)).render(q_area, buf);
    }
    Paragraph::new(key_hints(
        &[
            ("1-4", "解答"),
            ("n/p", "次/前"),
            ("f", "フラグ"),
            ("s", "提出"),
            ("?", "ヘルプ"),
        ],
        app.status.as_deref(),
    ))
    .render(foot, buf);
    if let Some(c) = st.confirm {
        confirm(exam, c, area, buf);
    }
}

/// One cell per question: `·` unanswered, `●` answered, `⚑` flagged; the current one reversed.
fn navigator(exam: &Exam, width: usize) -> Vec<Line<'static>> {
    let per_row = (width / 2).max(1);
    exam.items
        .chunks(per_row)
        .enumerate()
        .map(|(row, chunk)| {
            Line::from(
                chunk
                    .iter()
                    .enumerate()
                    .map(|(i, it)| {
                        let idx = row * per_row + i;
                        let sign = match (it.flagged, it.chosen.is_some()) {
                            (true, _) => "⚑",
                            (false, true) => "●",
                            (false, false) => "·",
                        };
                        let mut style = if it.flagged {
                            theme::warn()
                        } else {
                            theme::muted()
                        };
                        if idx == exam.current {
                            style = theme::selected().add_modifier(Modifier::BOLD);
                        }
                        Span::styled(format!("{sign} "), style)
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}

fn confirm(exam: &Exam, c: Confirm, area: Rect, buf: &mut Buffer) {
    let unanswered = exam.items.len() - exam.answered();
    let text = match c {
        Confirm::Submit => {
            format!("提出しますか? 未解答 {unanswered} 問。 y: 提出 / 他のキー: 戻る")
        }
        Confirm::Abandon => {
            "模擬試験を中断しますか? 結果は記録されません。 y: 中断 / 他のキー: 続ける".to_string()
        }
    };
    let w = area.width.saturating_sub(4).min(60);
    let lines = wrap(&text, usize::from(w.saturating_sub(2)));
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let popup = area.centered(Constraint::Length(w), Constraint::Length(h));
    super::clear_popup(popup, buf);
    Paragraph::new(Text::from(
        lines.into_iter().map(Line::raw).collect::<Vec<_>>(),
    ))
    .block(Block::bordered().border_style(theme::warn()))
    .render(popup, buf);
}
