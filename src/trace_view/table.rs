//! Tables (columns aligned by display width, numeric columns right-aligned) and histograms as
//! text bars.

use super::{Line, Role, span};
use crate::wrap::width;
use eshikaku_kernels::trace::{Cell, Histogram, Table};

/// Columns between two table columns.
const GAP: usize = 2;
/// The longest text bar of a histogram, in blocks.
const BAR: usize = 12;

/// The title, the header (muted) and one line per row. Cells are written by [`Cell`]'s
/// formatter (numbers with 4 significant digits); a column whose every cell is a number is
/// right-aligned, others are left-aligned; columns are padded by display width.
pub fn table(t: &Table) -> Vec<Line> {
    let n = t
        .columns
        .len()
        .max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    let text: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(Cell::to_string).collect())
        .collect();
    let mut w = vec![0; n];
    for row in std::iter::once(&t.columns).chain(&text) {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(width(c));
        }
    }
    let right: Vec<bool> = (0..n).map(|c| t.is_numeric_column(c)).collect();
    let line = |cells: &[String], role: &dyn Fn(usize) -> Role| {
        let mut spans = Vec::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = " ".repeat(w[i] - width(c));
            let gap = if i + 1 < cells.len() { GAP } else { 0 };
            if right[i] {
                spans.push(span(Role::Text, pad));
                spans.push(span(role(i), c.clone()));
                spans.push(span(Role::Text, " ".repeat(gap)));
            } else {
                spans.push(span(role(i), c.clone()));
                spans.push(span(Role::Text, format!("{pad}{}", " ".repeat(gap))));
            }
        }
        trim(Line(spans))
    };
    let mut out = vec![Line(vec![span(Role::Heading, t.name.clone())])];
    out.push(line(&t.columns, &|_| Role::Muted));
    for (r, cells) in text.iter().enumerate() {
        let role = |i: usize| match t.rows[r].get(i) {
            Some(c) if c.is_number() => Role::Number,
            _ => Role::Text,
        };
        out.push(line(cells, &role));
    }
    out
}

/// A histogram as a table: the bin, then per set its value and a text bar (the longest bar,
/// for the largest value over all sets, is 12 blocks).
pub fn histogram_table(h: &Histogram) -> Table {
    let max = h.max();
    let bar = |v: f64| {
        let len = if max > 0.0 && v.is_finite() {
            (v.max(0.0) / max * BAR as f64).ceil() as usize
        } else {
            0
        };
        Cell::Text("█".repeat(len.min(BAR)))
    };
    let mut columns = vec![h.axis.clone()];
    for s in &h.sets {
        columns.extend([s.label.clone(), String::new()]);
    }
    Table::new(h.name.clone(), columns).rows(h.bins.iter().enumerate(), |(b, label)| {
        let mut cells = vec![Cell::from(label.as_str())];
        for s in &h.sets {
            let v = s.values.get(b).copied().unwrap_or(0.0);
            cells.extend([Cell::Num(v), bar(v)]);
        }
        cells
    })
}

/// A histogram as text: [`histogram_table`] with its bars marked as such.
pub fn histogram(h: &Histogram) -> Vec<Line> {
    let mut lines = table(&histogram_table(h));
    for l in lines.iter_mut().skip(2) {
        for s in &mut l.0 {
            if s.text.starts_with('█') {
                s.role = Role::Bar;
            }
        }
    }
    lines
}

/// Drops trailing blanks.
fn trim(mut l: Line) -> Line {
    while let Some(s) = l.0.last_mut() {
        let kept = s.text.trim_end().len();
        if kept > 0 {
            s.text.truncate(kept);
            break;
        }
        l.0.pop();
    }
    l
}
