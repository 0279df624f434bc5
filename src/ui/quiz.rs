//! The practice / review screen: one question at a time, then feedback with the explanation.

use super::question::{self, Marks};
use super::wrap::wrap;
use super::{frame_areas, key_hints, theme};
use crate::study::practice::Feedback;
use crate::study::records::Rating;
use crate::tui::app::App;
use crate::tui::study::QuizState;
use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Widget};

pub struct QuizView<'a> {
    pub app: &'a App,
}

impl Widget for &QuizView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let Some(q) = &app.quiz else { return };
        let [head, body, foot] = frame_areas(area);
        let r = &q.round;
        let done = r.answered;
        super::header(
            Line::styled(q.title.clone(), theme::title()),
            Line::styled(
                format!(
                    " {}/{}  初回正答 {}  残り {} ",
                    done.min(r.total),
                    r.total,
                    r.correct_first_try,
                    r.remaining() + usize::from(r.current.is_some())
                ),
                theme::muted(),
            ),
            head,
            buf,
        );
        let text_area = body.inner(Margin::new(1, 0));
        let w = usize::from(text_area.width);
        let lines = body_lines(app, q, w);
        let max_scroll = lines.len().saturating_sub(usize::from(text_area.height));
        Paragraph::new(Text::from(lines))
            .scroll((
                u16::try_from(q.scroll.min(max_scroll)).unwrap_or(u16::MAX),
                0,
            ))
            .render(text_area, buf);
        let hints: &[(&str, &str)] = if r.current.is_some() {
            &[
                ("1-4", "解答"),
                ("j/k Enter", "選んで解答"),
                ("?", "ヘルプ"),
                ("q", "終了"),
            ]
        } else if r.feedback.is_some() {
            &[
                ("Enter", "次へ"),
                ("1-4", "評価を変更"),
                ("o", "レッスンを開く"),
                ("q", "終了"),
            ]
        } else {
            &[("q", "戻る")]
        };
        Paragraph::new(key_hints(hints, app.status.as_deref())).render(foot, buf);
    }
}

fn body_lines(app: &App, q: &QuizState, w: usize) -> Vec<Line<'static>> {
    let r = &q.round;
    if let Some(p) = &r.current {
        let Some((entry, question)) = p.item.get(&app.library) else {
            return Vec::new();
        };
        let mut lines = vec![source_line(&entry.lesson.title, p.attempt, w)];
        let marks = Marks {
            cursor: Some(q.cursor),
            ..Marks::default()
        };
        lines.extend(question::lines(question, &p.shuffled, marks, w));
        return lines;
    }
    if let Some(f) = &r.feedback {
        return feedback_lines(app, f, w);
    }
    summary_lines(q, w)
}

fn source_line(lesson_title: &str, attempt: u32, w: usize) -> Line<'static> {
    let again = if attempt > 0 { "  (もう一度)" } else { "" };
    Line::styled(
        super::wrap::fit(&format!("{lesson_title}{again}"), w),
        theme::muted(),
    )
}

fn feedback_lines(app: &App, f: &Feedback, w: usize) -> Vec<Line<'static>> {
    let Some((entry, question)) = f.item.get(&app.library) else {
        return Vec::new();
    };
    let mut lines = vec![source_line(&entry.lesson.title, 0, w)];
    let marks = Marks {
        cursor: None,
        chosen: Some(f.chosen_shown),
        correct: Some(f.correct_shown),
    };
    lines.extend(question::lines(question, &f.shuffled, marks, w));
    lines.push(Line::raw(""));
    lines.push(if f.correct {
        Line::styled("✓ 正解です", theme::pass())
    } else {
        Line::styled(
            format!("✗ 不正解 — 正解は {}", f.correct_shown + 1),
            theme::fail(),
        )
    });
    lines.push(Line::styled("解説", theme::heading()));
    for l in wrap(&question.explanation, w.saturating_sub(2)) {
        lines.push(Line::raw(format!("  {l}")));
    }
    lines.push(Line::raw(""));
    lines.push(rating_line(f));
    lines
}

/// `評価: 正解 · 12.3 秒   1 もう一度 2 難しい 3 正解 4 簡単`
fn rating_line(f: &Feedback) -> Line<'static> {
    let secs = f.answer.took_ms as f64 / 1000.0;
    let Some(rating) = f.answer.rating else {
        return Line::styled(
            format!("{secs:.1} 秒 (この演習での再出題は復習の予定を変えません)"),
            theme::muted(),
        );
    };
    let mut spans = vec![
        Span::styled("評価: ", theme::heading()),
        Span::raw(format!("{} · {secs:.1} 秒   ", rating.label())),
    ];
    for r in Rating::ALL {
        let style = if r == rating {
            theme::selected()
        } else {
            theme::muted()
        };
        spans.push(Span::styled(format!("{}", r.grade()), theme::key()));
        spans.push(Span::styled(format!(" {} ", r.label()), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

fn summary_lines(q: &QuizState, w: usize) -> Vec<Line<'static>> {
    let r = &q.round;
    let pct = (r.correct_first_try * 100)
        .checked_div(r.answered)
        .unwrap_or(0);
    let mut lines = vec![
        Line::styled("演習が終わりました", theme::title()),
        Line::raw(""),
        Line::raw(format!(
            "初回の正答: {}/{} ({pct}%)",
            r.correct_first_try, r.answered
        )),
    ];
    for l in wrap(
        "間違えた問題はこの演習の最後にもう一度出題しました。復習の予定 (FSRS) は初回の解答で更新されています。",
        w,
    ) {
        lines.push(Line::styled(l, theme::muted()));
    }
    lines
}
