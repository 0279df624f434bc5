//! Number and table formatting shared by the CLI, the TUI and snapshots.

/// 4 significant digits, `-0` as `0` (the kernels crate defines the rule).
pub use eshikaku_kernels::trace::fmt_num as num;

/// A table's header and rows as lines with columns aligned by display width.
pub fn aligned_rows(t: &eshikaku_kernels::trace::Table) -> Vec<String> {
    use crate::ui::wrap::width;
    let cols = t
        .columns
        .len()
        .max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut w = vec![0; cols];
    for row in std::iter::once(&t.columns).chain(&t.rows) {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(width(c));
        }
    }
    std::iter::once(&t.columns)
        .chain(&t.rows)
        .map(|row| {
            let mut s = String::new();
            for (i, c) in row.iter().enumerate() {
                s.push_str(c);
                s.push_str(&" ".repeat(w[i] - width(c) + 2));
            }
            s.trim_end().to_string()
        })
        .collect()
}
