//! A compact text summary of a trace, for snapshot tests of every kernel (never shown to a
//! learner: the app's `trace_view` module describes values for the CLI and the TUI).
//!
//! Numbers go through the one formatter, [`fmt_num`] (4 significant digits), and magnitudes
//! below `1e-9` (rounding noise such as a mean of `-3.6e-17`) are written as `0`, so the
//! summary is stable across machines. That noise rule is the only rounding that differs from
//! what a learner sees.

use super::{Cell, Histogram, Step, Value, fmt_num};
use std::fmt::Write;

/// A number as it appears in a snapshot.
pub fn snap_num(x: f64) -> String {
    if x.abs() < 1e-9 {
        "0".into()
    } else {
        fmt_num(x)
    }
}

/// One line per value: names, shapes and rounded statistics — not every tensor element.
pub fn summarize(steps: &[Step]) -> String {
    let mut out = String::new();
    for s in steps {
        let _ = writeln!(out, "[{}] {}", s.index, s.key);
        for v in &s.values {
            let _ = match v {
                Value::Scalar { name, value } => {
                    writeln!(out, "  scalar {name} = {}", snap_num(*value))
                }
                Value::Tensor(t) => writeln!(
                    out,
                    "  tensor {} {:?} mean {} std {} min {} max {}",
                    t.name,
                    t.shape,
                    snap_num(t.mean),
                    snap_num(t.std),
                    snap_num(t.min),
                    snap_num(t.max)
                ),
                Value::Series { name, x, y } => {
                    writeln!(out, "  series {name} ({}, {})", snap_num(*x), snap_num(*y))
                }
                Value::Image(i) => {
                    let mean = i.data.iter().map(|&v| f64::from(v)).sum::<f64>()
                        / i.data.len().max(1) as f64;
                    writeln!(
                        out,
                        "  image {} {}x{} {:?} mean {}",
                        i.name,
                        i.height,
                        i.width,
                        i.palette,
                        snap_num(mean)
                    )
                }
                Value::Table(t) => {
                    let _ = writeln!(out, "  table {} [{}]", t.name, t.columns.join(" | "));
                    for row in &t.rows {
                        let cells: Vec<String> = row.iter().map(snap_cell).collect();
                        let _ = writeln!(out, "    {}", cells.join(" | "));
                    }
                    Ok(())
                }
                Value::Histogram(h) => histogram(h, &mut out),
                Value::Text { text } => {
                    writeln!(out, "  text {}", text.chars().take(24).collect::<String>())
                }
                Value::Scatter(sc) => {
                    let (xs, ys): (Vec<f64>, Vec<f64>) = sc
                        .points
                        .iter()
                        .map(|p| (f64::from(p[0]), f64::from(p[1])))
                        .unzip();
                    writeln!(
                        out,
                        "  scatter {} {} points x [{}, {}] y [{}, {}]",
                        sc.name,
                        sc.points.len(),
                        snap_num(xs.iter().copied().fold(f64::INFINITY, f64::min)),
                        snap_num(xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
                        snap_num(ys.iter().copied().fold(f64::INFINITY, f64::min)),
                        snap_num(ys.iter().copied().fold(f64::NEG_INFINITY, f64::max))
                    )
                }
                Value::CartPole(c) => {
                    let max_theta = c
                        .frames
                        .iter()
                        .map(|f| f64::from(f[1].abs()))
                        .fold(0.0, f64::max);
                    writeln!(
                        out,
                        "  cartpole {} {} frames max|θ| {}",
                        c.name,
                        c.frames.len(),
                        snap_num(max_theta)
                    )
                }
                Value::Metric(m) => writeln!(
                    out,
                    "  metric {} = {} {}",
                    m.name,
                    snap_num(m.value),
                    if m.pass { "pass" } else { "FAIL" }
                ),
            };
        }
    }
    out
}

/// A table cell: numbers rounded like every other number; a text cell that holds a number
/// (formatted by the kernel itself) is re-rounded the same way, so a snapshot does not depend
/// on how a kernel wrote it.
fn snap_cell(c: &Cell) -> String {
    match c {
        Cell::Num(x) => snap_num(*x),
        Cell::Int(i) => i.to_string(),
        Cell::Text(t) => t.parse::<f64>().map_or_else(|_| t.clone(), snap_num),
    }
}

/// `histogram name [axis: bin | bin …]`, then one line of values per set.
fn histogram(h: &Histogram, out: &mut String) -> std::fmt::Result {
    writeln!(
        out,
        "  histogram {} [{}: {}]",
        h.name,
        h.axis,
        h.bins.join(" | ")
    )?;
    for set in &h.sets {
        let values: Vec<String> = set.values.iter().map(|&v| snap_num(v)).collect();
        writeln!(out, "    {}: {}", set.label, values.join(" "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{CollectSink, Trace};

    #[test]
    fn noise_becomes_zero_and_numbers_are_rounded() {
        assert_eq!(snap_num(-3.566e-17), "0");
        assert_eq!(snap_num(0.123456), "0.1235");
        let mut sink = CollectSink::default();
        Trace::new(&mut sink)
            .step("k", |s| {
                s.scalar("a", 1.0 / 3.0);
                s.text("とても長い説明文がここに入ります、とても長い説明文がここに入ります");
            })
            .expect("collect");
        let text = summarize(&sink.steps);
        assert_eq!(
            text,
            "[0] k\n  scalar a = 0.3333\n  text とても長い説明文がここに入ります、とても長い説明\n"
        );
    }
}
