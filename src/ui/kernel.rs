//! The kernel screen: a run's steps as they arrive, one shown at a time with the lesson's note.

use super::wrap::{fit, wrap};
use super::{frame_areas, key_hints, step_parts, theme, values};
use crate::tui::app::App;
use crate::tui::runner::RunState;
use eshikaku_kernels::trace::{Step, Value};
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

        let [list_area, step_area] = panes(body);
        let shown = app.shown_step();
        if !list_area.is_empty() {
            render_step_list(app, shown, list_area, buf);
        }
        render_step(app, shown, step_area, buf);

        let hints: &[(&str, &str)] = if run.is_finished() {
            &[
                ("←/→", "ステップを見る"),
                ("j/k", "スクロール"),
                ("r", "再実行"),
                ("e", "設定"),
                ("q", "戻る"),
            ]
        } else {
            &[
                ("n", "次へ"),
                ("c", "連続実行"),
                ("p", "一時停止"),
                ("←", "前へ"),
                ("e", "設定"),
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
                &format!("{:>3} {}", s.index + 1, step_label(&run.steps, s)),
                inner.width as usize,
            );
            if Some(s.index) == shown {
                Line::styled(text, theme::selected())
            } else {
                Line::raw(text)
            }
        })
        .collect();
    let offset = list_offset(shown, inner.height);
    Paragraph::new(Text::from(lines))
        .scroll((u16::try_from(offset).unwrap_or(u16::MAX), 0))
        .render(inner, buf);
}

/// The first step shown in a step list `height` rows tall: the shown step stays visible with
/// one step after it.
fn list_offset(shown: Option<usize>, height: u16) -> usize {
    (shown.unwrap_or(0) + 2).saturating_sub(usize::from(height))
}

/// The step whose row of the step list is at screen cell (`x`, `y`) on the model's screen, if
/// any (a click there selects it).
pub fn step_at(app: &App, x: u16, y: u16) -> Option<usize> {
    let run = app.run.as_ref()?;
    let [_, body, _] = frame_areas(Rect::new(0, 0, app.size.0, app.size.1));
    let list = panes(body)[0];
    let inner = Block::new().borders(Borders::RIGHT).inner(list);
    if !inner.contains(ratatui::layout::Position::new(x, y)) {
        return None;
    }
    let i = list_offset(app.shown_step(), inner.height) + usize::from(y - inner.y);
    (i < run.steps.len()).then_some(i)
}

/// The title of `step` in the step list; a title that repeats gets what tells the repeats apart:
/// an epoch/step counter, the x of its curves (the iteration), or its ordinal.
pub fn step_label(steps: &[Step], step: &Step) -> String {
    let same = |s: &&Step| s.title == step.title;
    if steps.iter().filter(same).count() < 2 {
        return step.title.clone();
    }
    const COUNTERS: [&str; 7] = [
        "epoch",
        "step",
        "iter",
        "iteration",
        "episode",
        "反復",
        "エポック",
    ];
    let detail = step.values.iter().find_map(|v| match v {
        Value::Scalar { name, value } if COUNTERS.contains(&name.as_str()) => {
            Some(format!("{name} {}", crate::format::num(*value)))
        }
        _ => None,
    });
    let detail = detail.or_else(|| {
        step.values.iter().find_map(|v| match v {
            Value::Series { x, .. } => Some(format!("反復 {}", crate::format::num(*x))),
            _ => None,
        })
    });
    let detail = detail.unwrap_or_else(|| {
        let n = steps
            .iter()
            .take_while(|s| s.index != step.index)
            .filter(same)
            .count();
        format!("{} 回目", n + 1)
    });
    format!("{} — {detail}", step.title)
}

/// The step list (empty on narrow screens) and the step pane of the body.
fn panes(body: Rect) -> [Rect; 2] {
    let [list, step] = if body.width >= 70 {
        Layout::horizontal([Constraint::Length(30), Constraint::Min(0)]).areas(body)
    } else {
        [Rect::default(), body]
    };
    [list, step.inner(Margin::new(1, 0))]
}

/// The step pane on a screen of `size`.
fn step_area(size: (u16, u16)) -> Rect {
    let [_, body, _] = frame_areas(Rect::new(0, 0, size.0, size.1));
    panes(body)[1]
}

/// The largest useful scroll offset of the shown step on the model's screen size.
pub fn max_scroll(app: &App) -> usize {
    let area = step_area(app.size);
    let Some(run) = &app.run else { return 0 };
    let Some(step) = app.shown_step().and_then(|i| run.steps.get(i)) else {
        return 0;
    };
    let width = usize::from(area.width);
    let (_, body) = pinned(area, head(app, step, width).len());
    let history = values::series_history(&run.steps[..=step.index.min(run.steps.len() - 1)]);
    let parts = step_parts::parts(Vec::new(), step, &history, width, &opts(app));
    step_parts::total_height(&parts, width).saturating_sub(usize::from(body.height))
}

/// The step pane split into the pinned title and note (`head_rows`, at most half the pane) and
/// the scrolled values below, so the lesson's note stays in view while the values scroll.
fn pinned(area: Rect, head_rows: usize) -> (Rect, Rect) {
    let rows = u16::try_from(head_rows)
        .unwrap_or(u16::MAX)
        .min(area.height / 2);
    let [head, body] = Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(area);
    (head, body)
}

/// How the model says values are drawn.
fn opts(app: &App) -> values::ViewOpts {
    values::ViewOpts {
        tick: app.tick,
        fit_images: app.fit_images,
        no_color: app.no_color,
        hscroll: app.image_hscroll,
    }
}

/// The step's title and the lesson's note for it.
fn head(app: &App, step: &Step, width: usize) -> Vec<Line<'static>> {
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
    lines
}

fn render_step(app: &App, shown: Option<usize>, area: Rect, buf: &mut Buffer) {
    let Some(run) = &app.run else { return };
    if shown.and_then(|i| run.steps.get(i)).is_none() {
        let msg = if run.is_finished() {
            "ステップがありません"
        } else {
            "最初のステップを計算中…"
        };
        Paragraph::new(Line::styled(msg, theme::muted())).render(area, buf);
        return;
    }
    let Some(step) = shown.and_then(|i| run.steps.get(i)) else {
        return;
    };
    let width = usize::from(area.width);
    let head = head(app, step, width);
    let (head_area, body) = pinned(area, head.len());
    Paragraph::new(head).render(head_area, buf);
    let history = values::series_history(&run.steps[..=step.index.min(run.steps.len() - 1)]);
    let parts = step_parts::parts(Vec::new(), step, &history, width, &opts(app));
    let max_scroll =
        step_parts::total_height(&parts, width).saturating_sub(usize::from(body.height));
    step_parts::render(&parts, body, app.step_scroll.min(max_scroll), buf);
}
