//! A kernel step's values laid out as styled lines: numbers, tensors, tables, heat maps,
//! curves and metrics.

use super::theme;
use super::wrap::wrap;
use crate::format::num;
use eshikaku_kernels::trace::{CartPole, Image, Metric, Palette, Scatter, Step, Table, Value};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The points of every curve seen so far, by name, in order of first appearance.
pub type SeriesHistory = Vec<(String, Vec<(f64, f64)>)>;

/// Gathers all series points recorded in `steps`.
pub fn series_history(steps: &[Step]) -> SeriesHistory {
    let mut out: SeriesHistory = Vec::new();
    for s in steps {
        for v in &s.values {
            if let Value::Series { name, x, y } = v {
                match out.iter_mut().find(|(n, _)| n == name) {
                    Some((_, pts)) => pts.push((*x, *y)),
                    None => out.push((name.clone(), vec![(*x, *y)])),
                }
            }
        }
    }
    out
}

/// The lines showing `step` in `width` columns; curves use `history` (points up to this step),
/// animations show the frame for `tick` (the TUI advances it 25 times a second).
pub fn step_lines(
    step: &Step,
    history: &SeriesHistory,
    width: usize,
    tick: u64,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut curves_shown: Vec<&str> = Vec::new();
    for v in &step.values {
        match v {
            Value::Scalar { name, value } => out.push(Line::from(vec![
                Span::styled(format!("{name} = "), theme::muted()),
                Span::raw(num(*value)),
            ])),
            Value::Tensor(t) => {
                out.push(Line::from(vec![
                    Span::styled(t.name.clone(), theme::heading()),
                    Span::styled(format!("  shape {:?}", t.shape), theme::muted()),
                ]));
                let stats = format!(
                    "  平均 {}  標準偏差 {}  最小 {}  最大 {}",
                    num(clean(t.mean, t.min.abs().max(t.max.abs()))),
                    num(t.std),
                    num(t.min),
                    num(t.max)
                );
                out.extend(wrap(&stats, width).into_iter().map(Line::raw));
                let head: Vec<String> = t.head.iter().map(|x| num(*x)).collect();
                for line in wrap(
                    &format!(
                        "  [{}{}]",
                        head.join(", "),
                        if t.head.len() < t.shape.iter().product() {
                            ", …"
                        } else {
                            ""
                        }
                    ),
                    width,
                ) {
                    out.push(Line::styled(line, theme::muted()));
                }
            }
            Value::Series { name, .. } => {
                if curves_shown.contains(&name.as_str()) {
                    continue;
                }
                curves_shown.push(name);
                if let Some((_, pts)) = history.iter().find(|(n, _)| n == name) {
                    curve(name, pts, width, &mut out);
                }
            }
            Value::Image(img) => image(img, width, &mut out),
            Value::Table(t) => table(t, &mut out),
            Value::Text { text } => {
                for line in wrap(text, width) {
                    out.push(Line::raw(line));
                }
            }
            Value::Metric(m) => out.push(metric(m)),
            Value::Scatter(sc) => scatter(sc, width, &mut out),
            Value::CartPole(c) => cartpole(c, width, tick, &mut out),
        }
        // One-line values (numbers, metrics) stack; blocks get a blank line after them.
        if !matches!(v, Value::Scalar { .. } | Value::Metric(_)) {
            out.push(Line::raw(""));
        }
    }
    out
}

/// `x` with rounding noise (below `1e-12` of the tensor's `scale`) shown as exactly 0, so a
/// normalised tensor reads "mean 0" rather than "mean -3.6e-17".
fn clean(x: f64, scale: f64) -> f64 {
    if x.abs() <= 1e-12 * scale { 0.0 } else { x }
}

/// `✓ name = value  (目標 ≥ t)` in green, or `✗` in red.
pub fn metric(m: &Metric) -> Line<'static> {
    let (mark, style) = match (&m.target, m.pass) {
        (None, _) => ("·", theme::muted()),
        (Some(_), true) => ("✓", theme::pass()),
        (Some(_), false) => ("✗", theme::fail()),
    };
    let mut spans = vec![
        Span::styled(format!("{mark} "), style),
        Span::raw(format!("{} = {}", m.name, num(m.value))),
    ];
    if let Some(t) = &m.target {
        spans.push(Span::styled(format!("  (目標 {t})"), theme::muted()));
    }
    Line::from(spans)
}

/// A sparkline of the curve, resampled to fit `width`.
fn curve(name: &str, pts: &[(f64, f64)], width: usize, out: &mut Vec<Line<'static>>) {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let Some(&(x_last, y_last)) = pts.last() else {
        return;
    };
    out.push(Line::from(vec![
        Span::styled(format!("{name} "), theme::heading()),
        Span::styled(
            format!(
                "({} 点, 最新 x={} y={})",
                pts.len(),
                num(x_last),
                num(y_last)
            ),
            theme::muted(),
        ),
    ]));
    let cols = width.saturating_sub(2).clamp(1, 120).min(pts.len());
    let ys: Vec<f64> = (0..cols).map(|i| pts[i * pts.len() / cols].1).collect();
    let (lo, hi) = ys
        .iter()
        .filter(|y| y.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| {
            (a.min(y), b.max(y))
        });
    let line: String = ys
        .iter()
        .map(|&y| {
            if !y.is_finite() {
                return '×';
            }
            let t = if hi > lo { (y - lo) / (hi - lo) } else { 0.5 };
            BARS[((t * 7.0).round() as usize).min(7)]
        })
        .collect();
    out.push(Line::styled(format!("  {line}"), theme::formula()));
    out.push(Line::styled(
        format!("  y: {} … {}", num(lo), num(hi)),
        theme::muted(),
    ));
}

/// An image drawn with half blocks (`▀`: top pixel as foreground, bottom as background).
fn image(img: &Image, width: usize, out: &mut Vec<Line<'static>>) {
    out.push(Line::from(vec![
        Span::styled(img.name.clone(), theme::heading()),
        Span::styled(format!("  {}×{}", img.height, img.width), theme::muted()),
    ]));
    if img.width == 0 || img.height == 0 || img.data.len() < img.width * img.height {
        return;
    }
    // Too wide for the pane: average k×k blocks (categorical maps keep their top-left value).
    let room = width.saturating_sub(2).max(1);
    let k = img.width.div_ceil(room);
    let shrunk;
    let img = if k > 1 {
        shrunk = shrink(img, k);
        &shrunk
    } else {
        img
    };
    let scale = (room / img.width).clamp(1, 4).min((48 / img.height).max(1));
    let (lo, hi) = img
        .data
        .iter()
        .filter(|v| v.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let abs_max = lo.abs().max(hi.abs()).max(f32::MIN_POSITIVE);
    let color = |v: f32| match img.palette {
        Palette::Gray => theme::gray(if hi > lo { (v - lo) / (hi - lo) } else { 0.5 }),
        Palette::Heat => theme::heat(if hi > lo { (v - lo) / (hi - lo) } else { 0.5 }),
        Palette::Diverging => theme::diverging(v / abs_max),
        Palette::Categorical => theme::category(v.max(0.0) as usize),
    };
    let rows = img.height * scale;
    let pixel = |r: usize, c: usize| img.data[(r / scale) * img.width + c / scale];
    for r in (0..rows).step_by(2) {
        let mut spans = vec![Span::raw("  ")];
        for c in 0..img.width * scale {
            let top = color(pixel(r, c));
            let bottom = if r + 1 < rows {
                color(pixel(r + 1, c))
            } else {
                ratatui::style::Color::Reset
            };
            spans.push(Span::styled("▀", Style::new().fg(top).bg(bottom)));
        }
        out.push(Line::from(spans));
    }
}

/// `img` reduced by `k` in both directions: the mean of each `k × k` block (for a categorical
/// image, the block's top-left value, since class ids must not be averaged).
fn shrink(img: &Image, k: usize) -> Image {
    let (w, h) = (img.width.div_ceil(k), img.height.div_ceil(k));
    let mut data = Vec::with_capacity(w * h);
    for by in 0..h {
        for bx in 0..w {
            let (mut sum, mut n) = (0.0f32, 0u32);
            for y in by * k..((by + 1) * k).min(img.height) {
                for x in bx * k..((bx + 1) * k).min(img.width) {
                    sum += img.data[y * img.width + x];
                    n += 1;
                }
            }
            data.push(match img.palette {
                Palette::Categorical => img.data[by * k * img.width + bx * k],
                _ => sum / n.max(1) as f32,
            });
        }
    }
    Image {
        name: img.name.clone(),
        width: w,
        height: h,
        palette: img.palette,
        data,
    }
}

fn table(t: &Table, out: &mut Vec<Line<'static>>) {
    out.push(Line::styled(t.name.clone(), theme::heading()));
    for (i, row) in crate::format::aligned_rows(t).into_iter().enumerate() {
        let style = if i == 0 { theme::muted() } else { Style::new() };
        out.push(Line::styled(format!("  {row}"), style));
    }
}

/// A scatter plot, one coloured dot per occupied cell.
fn scatter(sc: &Scatter, width: usize, out: &mut Vec<Line<'static>>) {
    out.push(Line::from(vec![
        Span::styled(sc.name.clone(), theme::heading()),
        Span::styled(format!("  {} 点", sc.points.len()), theme::muted()),
    ]));
    let cols = width.saturating_sub(4).min(72);
    let rows = (cols / 3).clamp(4, 20);
    for row in super::plot::scatter_grid(sc, cols, rows) {
        let mut spans = vec![Span::styled("  │", theme::muted())];
        for cell in row {
            spans.push(match cell {
                None => Span::raw(" "),
                Some(u16::MAX) => Span::raw("•"),
                Some(k) => Span::styled("•", Style::new().fg(theme::category(usize::from(k)))),
            });
        }
        out.push(Line::from(spans));
    }
}

/// A cart-pole episode, animated: frame `2·tick` (50 Hz physics at 25 redraws a second).
fn cartpole(c: &CartPole, width: usize, tick: u64, out: &mut Vec<Line<'static>>) {
    let n = c.frames.len();
    let Some(i) = usize::try_from(tick.saturating_mul(2))
        .ok()
        .and_then(|t| t.checked_rem(n))
    else {
        return;
    };
    let [x, theta] = c.frames[i];
    out.push(Line::from(vec![
        Span::styled(c.name.clone(), theme::heading()),
        Span::styled(
            format!(
                "  t = {}/{n}  x = {x:+.2} m  θ = {:+.1}°",
                i + 1,
                theta.to_degrees()
            ),
            theme::muted(),
        ),
    ]));
    for line in super::plot::cartpole_frame(x, theta, width.saturating_sub(2).min(60), 8) {
        out.push(Line::raw(format!("  {line}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_images_are_shrunk_to_fit() {
        let img = Image {
            name: "grid".into(),
            width: 70,
            height: 4,
            palette: Palette::Gray,
            data: (0..280).map(|i| (i % 70) as f32).collect(),
        };
        let mut out = Vec::new();
        image(&img, 40, &mut out);
        // 70 px into 38 columns: blocks of 2, so 35 pixels plus the 2-column indent.
        assert!(
            out[1..].iter().all(|l| l.width() == 37),
            "{:?}",
            out.iter().map(Line::width).collect::<Vec<_>>()
        );
        let small = shrink(&img, 2);
        assert_eq!((small.width, small.height), (35, 2));
        assert_eq!(small.data[0], 0.5);
    }
}
