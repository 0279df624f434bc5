//! A kernel step laid out as parts, each drawn with a ratatui widget: text lines (numbers,
//! tensors, metrics, images), curves as line `Chart`s with axes and the target line, histograms
//! as `BarChart`s, tables as `Table`s, 2-D embeddings and the cart-pole on a `Canvas`. The parts
//! stack vertically; the pane scrolls through them (see [`render`]).

use super::values::{SeriesHistory, ViewOpts, styled, value_lines};
use super::{theme, wrap::width as text_width};
use crate::format::num;
use crate::trace_view;
use eshikaku_kernels::trace::{CartPole, Histogram, Scatter, Step, Table, Value};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Line as CLine, Points, Rectangle};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Chart, Dataset, GraphType, Paragraph, Row, Widget,
};

/// Rows of a curve chart, a scatter plot and a cart-pole picture.
const CHART_ROWS: usize = 12;
const SCATTER_ROWS: usize = 16;
const CARTPOLE_ROWS: usize = 9;

/// One vertically stacked piece of a step.
pub enum Part<'a> {
    Lines(Vec<Line<'static>>),
    Curve {
        name: &'a str,
        pts: &'a [(f64, f64)],
        target: Option<f64>,
    },
    Histogram(&'a Histogram),
    Table(&'a Table),
    Scatter(&'a Scatter),
    CartPole(&'a CartPole, usize),
    Blank,
}

/// The parts of `step`, after `head` (title and note lines). Curves show all their points in
/// `history`; each curve is drawn once even if the step records it several times.
pub fn parts<'a>(
    head: Vec<Line<'static>>,
    step: &'a Step,
    history: &'a SeriesHistory,
    width: usize,
    opts: &ViewOpts,
) -> Vec<Part<'a>> {
    let mut out = Vec::new();
    if !head.is_empty() {
        out.push(Part::Lines(head));
    }
    let mut shown: Vec<&str> = Vec::new();
    for v in &step.values {
        match v {
            Value::Series { name, .. } => {
                if shown.contains(&name.as_str()) {
                    continue;
                }
                shown.push(name);
                if let Some((_, pts)) = history.iter().find(|(n, _)| n == name) {
                    out.push(heading_line(styled(trace_view::curve_title(name, pts))));
                    out.push(Part::Curve {
                        name,
                        pts,
                        target: target_in_name(name),
                    });
                }
            }
            Value::Histogram(h) => {
                out.push(heading_line(Line::styled(h.name.clone(), theme::heading())));
                out.push(Part::Histogram(h));
            }
            Value::Table(t) => {
                out.push(heading_line(Line::styled(t.name.clone(), theme::heading())));
                out.push(Part::Table(t));
            }
            Value::Scatter(sc) => {
                out.push(heading_line(styled(trace_view::scatter_title(sc))));
                out.push(Part::Scatter(sc));
            }
            Value::CartPole(c) if !c.frames.is_empty() => {
                let i = usize::try_from(opts.tick.saturating_mul(2)).unwrap_or(0) % c.frames.len();
                out.push(heading_line(styled(trace_view::cartpole_title(c, i))));
                out.push(Part::CartPole(c, i));
            }
            other => {
                let mut lines = Vec::new();
                value_lines(other, history, width, opts, &mut lines);
                out.push(Part::Lines(lines));
                continue;
            }
        }
        out.push(Part::Blank);
    }
    out
}

fn heading_line(line: Line<'static>) -> Part<'static> {
    Part::Lines(vec![line])
}

/// The number after `目標` or `均衡` in a curve's name (`G(z) の平均 (目標 4)` → 4).
pub fn target_in_name(name: &str) -> Option<f64> {
    ["目標", "均衡"].iter().find_map(|mark| {
        let rest = name.split(mark).nth(1)?;
        let rest = rest.trim_start_matches([' ', '≥', '≤', '=']).trim_start();
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '−'))
            .unwrap_or(rest.len());
        rest[..end].replace('−', "-").parse().ok()
    })
}

/// Rows `part` takes at `width`.
pub fn height(part: &Part, width: usize) -> usize {
    let _ = width;
    match part {
        Part::Lines(lines) => lines.len(),
        Part::Curve { .. } => CHART_ROWS,
        Part::Histogram(_) => CHART_ROWS,
        Part::Table(t) => t.rows.len() + 1,
        Part::Scatter(_) => SCATTER_ROWS,
        Part::CartPole(..) => CARTPOLE_ROWS,
        Part::Blank => 1,
    }
}

/// Rows all `parts` take.
pub fn total_height(parts: &[Part], width: usize) -> usize {
    parts.iter().map(|p| height(p, width)).sum()
}

/// Draws `parts` into `area`, scrolled down by `scroll` rows: they are drawn into an
/// off-screen buffer as tall as all of them, and the visible rows are copied.
pub fn render(parts: &[Part], area: Rect, scroll: usize, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let width = usize::from(area.width);
    let total = total_height(parts, width);
    let end = (scroll + usize::from(area.height)).min(total);
    let tall = u16::try_from(end).unwrap_or(u16::MAX);
    let mut off = Buffer::empty(Rect::new(0, 0, area.width, tall));
    let mut y = 0usize;
    for p in parts {
        let h = height(p, width);
        if y >= end {
            break;
        }
        if y + h > scroll {
            // Draw only parts at least partly visible (a part is drawn whole, then cut).
            let top = u16::try_from(y).unwrap_or(u16::MAX);
            let rows = u16::try_from(h)
                .unwrap_or(u16::MAX)
                .min(tall.saturating_sub(top));
            draw(p, Rect::new(0, top, area.width, rows), &mut off);
        }
        y += h;
    }
    for row in scroll..end {
        let (Ok(sy), Ok(dy)) = (u16::try_from(row), u16::try_from(row - scroll)) else {
            break;
        };
        for x in 0..area.width {
            buf[(area.x + x, area.y + dy)] = off[(x, sy)].clone();
        }
    }
}

/// Draws one part into `r`.
fn draw(part: &Part, r: Rect, buf: &mut Buffer) {
    match part {
        Part::Lines(lines) => Paragraph::new(lines.clone()).render(r, buf),
        Part::Curve { name, pts, target } => curve(name, pts, *target, r, buf),
        Part::Histogram(t) => histogram(t, r, buf),
        Part::Table(t) => table(t, r, buf),
        Part::Scatter(sc) => scatter(sc, r, buf),
        Part::CartPole(c, i) => cartpole(c, *i, r, buf),
        Part::Blank => {}
    }
}

/// The finite min and max of `v`, widened when equal.
fn bounds(v: impl Iterator<Item = f64>) -> [f64; 2] {
    let (lo, hi) = v
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if !lo.is_finite() {
        return [0.0, 1.0];
    }
    if hi > lo {
        [lo, hi]
    } else {
        [lo - 0.5, hi + 0.5]
    }
}

/// Three axis labels: min, middle, max.
fn labels(b: [f64; 2]) -> Vec<Line<'static>> {
    [b[0], (b[0] + b[1]) / 2.0, b[1]]
        .into_iter()
        .map(|v| Line::styled(num(v), theme::muted()))
        .collect()
}

fn curve(name: &str, pts: &[(f64, f64)], target: Option<f64>, r: Rect, buf: &mut Buffer) {
    let finite: Vec<(f64, f64)> = pts
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let xb = bounds(finite.iter().map(|p| p.0));
    let yb = bounds(finite.iter().map(|p| p.1).chain(target));
    let goal = target.map(|t| [(xb[0], t), (xb[1], t)]);
    let mut sets = vec![
        Dataset::default()
            .name(name.to_string())
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme::formula())
            .data(&finite),
    ];
    if let Some(g) = &goal {
        sets.push(
            Dataset::default()
                .name("目標")
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(theme::warn())
                .data(g),
        );
    }
    Chart::new(sets)
        .x_axis(
            Axis::default()
                .bounds(xb)
                .labels(labels(xb))
                .style(theme::muted()),
        )
        .y_axis(
            Axis::default()
                .bounds(yb)
                .labels(labels(yb))
                .style(theme::muted()),
        )
        .legend_position(None)
        .render(r, buf);
}

/// Bars per bin, one colour per set. `BarChart` takes whole numbers, so the bars' heights are
/// the values scaled to 0–1000 of the largest, and each bar is labelled with its value.
fn histogram(h: &Histogram, r: Rect, buf: &mut Buffer) {
    let max = h.max();
    let n_bars = (h.bins.len() * h.sets.len()).max(1);
    let gaps = h.bins.len().saturating_sub(1);
    let bar_w = (usize::from(r.width).saturating_sub(gaps) / n_bars).clamp(1, 6);
    let group_w = bar_w * h.sets.len().max(1);
    let groups: Vec<BarGroup> = h
        .bins
        .iter()
        .enumerate()
        .map(|(b, label)| {
            let label = bin_label(label, group_w);
            let bars: Vec<Bar> = h
                .sets
                .iter()
                .enumerate()
                .map(|(k, set)| {
                    let v = set.values.get(b).copied().unwrap_or(0.0);
                    let height = if max > 0.0 && v.is_finite() {
                        (v.max(0.0) / max * 1000.0).round() as u64
                    } else {
                        0
                    };
                    Bar::default()
                        .value(height)
                        .text_value(num(v))
                        .style(Style::new().fg(theme::category(k)))
                })
                .collect();
            BarGroup::default().label(Line::from(label)).bars(&bars)
        })
        .collect();
    let mut chart = BarChart::default()
        .bar_width(u16::try_from(bar_w).unwrap_or(1))
        .group_gap(1)
        .bar_gap(0)
        .max(1000)
        .block(Block::new().title(Line::from(legend_spans(h))));
    for g in groups {
        chart = chart.data(g);
    }
    chart.render(r, buf);
}

/// A bin's label that fits under its group of bars (`width` cells): the whole range
/// (`0.3–0.4`) when it fits, else its lower edge (`0.3`), so neighbouring labels never run
/// together.
fn bin_label(label: &str, width: usize) -> String {
    if text_width(label) <= width {
        return label.to_string();
    }
    label.split('–').next().unwrap_or(label).to_string()
}

/// `■ 本物 x  ■ 生成 G(z)`: which colour is which set.
fn legend_spans(h: &Histogram) -> Vec<Span<'static>> {
    h.sets
        .iter()
        .enumerate()
        .flat_map(|(k, set)| {
            [
                Span::styled("■ ", Style::new().fg(theme::category(k))),
                Span::styled(format!("{}  ", set.label), theme::muted()),
            ]
        })
        .collect()
}

/// A `Table` widget: cells written by the one formatter, numeric columns right-aligned.
fn table(t: &Table, r: Rect, buf: &mut Buffer) {
    let n = t.columns.len();
    let text: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|row| row.iter().map(ToString::to_string).collect())
        .collect();
    let widths: Vec<Constraint> = (0..n)
        .map(|c| {
            let w = text
                .iter()
                .filter_map(|row| row.get(c))
                .chain(std::iter::once(&t.columns[c]))
                .map(|s| text_width(s))
                .max()
                .unwrap_or(0);
            Constraint::Length(u16::try_from(w).unwrap_or(u16::MAX))
        })
        .collect();
    let natural: usize = widths
        .iter()
        .map(|c| match c {
            Constraint::Length(w) => usize::from(*w) + 2,
            _ => 0,
        })
        .sum();
    if natural > usize::from(r.width) + 2 {
        // Too wide: the Table widget would shrink every column and cut the ends off numbers
        // ("130.4" → "130."); the text form keeps cells whole and cuts at the pane's edge.
        let lines = trace_view::table(t).into_iter().skip(1).map(styled);
        Paragraph::new(lines.collect::<Vec<_>>()).render(r, buf);
        return;
    }
    let right: Vec<bool> = (0..n).map(|c| t.is_numeric_column(c)).collect();
    let cell = |c: usize, s: String| {
        let line = Line::from(s);
        if right.get(c).copied().unwrap_or(false) {
            line.right_aligned()
        } else {
            line
        }
    };
    let rows = text
        .into_iter()
        .map(|row| Row::new(row.into_iter().enumerate().map(|(c, s)| cell(c, s))));
    let header = t
        .columns
        .iter()
        .enumerate()
        .map(|(c, s)| cell(c, s.clone()));
    ratatui::widgets::Table::new(rows, widths)
        .header(Row::new(header).style(theme::muted()))
        .column_spacing(2)
        .render(r, buf);
}

fn scatter(sc: &Scatter, r: Rect, buf: &mut Buffer) {
    let finite = || {
        sc.points
            .iter()
            .enumerate()
            .filter(|(_, p)| p[0].is_finite() && p[1].is_finite())
    };
    let xb = bounds(finite().map(|(_, p)| f64::from(p[0])));
    let yb = bounds(finite().map(|(_, p)| f64::from(p[1])));
    let mut classes: Vec<(u16, Vec<(f64, f64)>)> = Vec::new();
    for (i, p) in finite() {
        let k = sc.classes.get(i).copied().unwrap_or(u16::MAX);
        let pt = (f64::from(p[0]), f64::from(p[1]));
        match classes.iter_mut().find(|(c, _)| *c == k) {
            Some((_, v)) => v.push(pt),
            None => classes.push((k, vec![pt])),
        }
    }
    Canvas::default()
        .marker(Marker::Braille)
        .x_bounds(xb)
        .y_bounds(yb)
        .paint(|ctx| {
            for (k, coords) in &classes {
                let color = if *k == u16::MAX {
                    ratatui::style::Color::White
                } else {
                    theme::category(usize::from(*k))
                };
                ctx.draw(&Points { coords, color });
            }
        })
        .render(r, buf);
}

/// The track half-width of CartPole-v1 in metres (episodes end beyond it).
const TRACK: f64 = 2.4;

fn cartpole(c: &CartPole, i: usize, r: Rect, buf: &mut Buffer) {
    let Some(&[x, theta]) = c.frames.get(i) else {
        return;
    };
    let (x, theta) = (f64::from(x), f64::from(theta));
    // Cells are about twice as tall as wide: a square world keeps the pole's angle true.
    let half_h = 1.6;
    let half_w =
        (half_h * f64::from(r.width) / (2.0 * f64::from(r.height).max(1.0))).max(TRACK + 0.5);
    Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([-half_w, half_w])
        .y_bounds([-0.2, 2.0 * half_h - 0.2])
        .paint(|ctx| {
            let muted = theme::MUTED;
            ctx.draw(&CLine::new(-TRACK, 0.0, TRACK, 0.0, muted));
            ctx.draw(&Rectangle::new(
                x - 0.25,
                0.0,
                0.5,
                0.25,
                ratatui::style::Color::Cyan,
            ));
            let (tx, ty) = (x + 1.2 * theta.sin(), 0.25 + 1.2 * theta.cos());
            ctx.draw(&CLine::new(x, 0.25, tx, ty, ratatui::style::Color::Yellow));
        })
        .render(r, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_from_curve_names() {
        assert_eq!(target_in_name("G(z) の平均 (目標 4)"), Some(4.0));
        assert_eq!(target_in_name("平均 D(x) (均衡 0.5)"), Some(0.5));
        assert_eq!(target_in_name("V(D, G) (均衡 −log 4 = −1.386)"), None);
        assert_eq!(target_in_name("loss_D"), None);
    }
}

#[cfg(test)]
mod bin_label_tests {
    use super::bin_label;

    #[test]
    fn a_range_that_does_not_fit_keeps_its_lower_edge() {
        assert_eq!(bin_label("0.3–0.4", 7), "0.3–0.4");
        assert_eq!(bin_label("0.3–0.4", 6), "0.3");
        assert_eq!(bin_label("本物", 2), "本物");
    }
}
