//! The kernel screen: a run's steps as they arrive, one shown at a time with the lesson's note.

use super::wrap::{fit, wrap};
use super::{frame_areas, key_hints, theme, values};
use crate::tui::app::App;
use crate::tui::runner::RunState;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

pub struct KernelView<'a> {
    pub app: &'a App,
}

impl Widget for &KernelView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let Some(run) = &app.run else { return };
        let [head, body, foot] = frame_areas(area);
        let (state, state_style) = match &run.state {
            RunState::Stepping => ("ステップ実行中".to_string(), theme::key()),
            RunState::Running => match &run.progress {
                Some(p) => (
                    format!(
                        "実行中 {} {}% ({}/{})",
                        p.label,
                        p.percent(),
                        p.done,
                        p.total
                    ),
                    theme::warn(),
                ),
                None => ("実行中…".to_string(), theme::warn()),
            },
            RunState::Done(r) => {
                let ok = r.metrics.iter().filter(|m| m.pass).count();
                let style = if r.passed() {
                    theme::pass()
                } else {
                    theme::fail()
                };
                (
                    format!("完了: {ok}/{} の指標が目標を達成", r.metrics.len()),
                    style,
                )
            }
            RunState::Failed(e) => (format!("停止: {e}"), theme::fail()),
        };
        super::header(
            Line::from(vec![
                Span::styled(run.info.id, theme::title()),
                Span::raw(format!(" {} ", run.info.title)),
                Span::styled(format!("seed {}", run.knobs.seed), theme::muted()),
            ]),
            Line::styled(format!(" {state}"), state_style),
            head,
            buf,
        );

        let [list_area, step_area] = if body.width >= 70 {
            Layout::horizontal([Constraint::Length(30), Constraint::Min(0)]).areas(body)
        } else {
            [Rect::default(), body]
        };
        let shown = app.shown_step();
        if !list_area.is_empty() {
            render_step_list(app, shown, list_area, buf);
        }
        render_step(app, shown, step_area.inner(Margin::new(1, 0)), buf);

        let hints: &[(&str, &str)] = if run.is_finished() {
            &[
                ("←/→", "ステップを見る"),
                ("j/k", "スクロール"),
                ("r", "再実行"),
                ("q", "戻る"),
            ]
        } else {
            &[
                ("n", "次へ"),
                ("c", "連続実行"),
                ("p", "一時停止"),
                ("←", "前へ"),
                ("?", "ヘルプ"),
                ("q", "中止"),
            ]
        };
        Paragraph::new(key_hints(hints, app.status.as_deref())).render(foot, buf);
    }
}

fn render_step_list(app: &App, shown: Option<usize>, area: Rect, buf: &mut Buffer) {
    let Some(run) = &app.run else { return };
    let block = Block::new()
        .borders(Borders::RIGHT)
        .border_style(theme::border());
    let inner = block.inner(area);
    block.render(area, buf);
    let lines: Vec<Line> = run
        .steps
        .iter()
        .map(|s| {
            let text = fit(
                &format!("{:>3} {}", s.index + 1, s.title),
                inner.width as usize,
            );
            if Some(s.index) == shown {
                Line::styled(text, theme::selected())
            } else {
                Line::raw(text)
            }
        })
        .collect();
    let offset = (shown.unwrap_or(0) + 2).saturating_sub(inner.height as usize);
    Paragraph::new(Text::from(lines))
        .scroll((u16::try_from(offset).unwrap_or(u16::MAX), 0))
        .render(inner, buf);
}

fn render_step(app: &App, shown: Option<usize>, area: Rect, buf: &mut Buffer) {
    let Some(run) = &app.run else { return };
    let width = area.width as usize;
    let Some(step) = shown.and_then(|i| run.steps.get(i)) else {
        let msg = if run.is_finished() {
            "ステップがありません"
        } else {
            "最初のステップを計算中…"
        };
        Paragraph::new(Line::styled(msg, theme::muted())).render(area, buf);
        return;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(step.title.clone(), theme::title()),
        Span::styled(format!("  · {}", step.key), theme::muted()),
    ])];
    let note = app
        .current_lesson()
        .and_then(|e| e.lesson.kernel.as_ref())
        .and_then(|k| k.step_notes.get(&step.key));
    if let Some(note) = note {
        for line in wrap(note, width.saturating_sub(2)) {
            lines.push(Line::from(vec![
                Span::styled("┃ ", theme::note()),
                Span::styled(line, theme::note()),
            ]));
        }
    }
    lines.push(Line::raw(""));
    let history = values::series_history(&run.steps[..=step.index.min(run.steps.len() - 1)]);
    lines.extend(values::step_lines(step, &history, width, app.tick));
    let max_scroll = lines.len().saturating_sub(area.height as usize);
    app.step_max_scroll.set(max_scroll);
    let scroll = app.step_scroll.min(max_scroll);
    Paragraph::new(Text::from(lines))
        .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
        .render(area, buf);
}
