use super::*;
use eshikaku_kernels::trace::{Cell, Histogram, Metric, Table, TensorSummary};

fn plain(lines: &[Line]) -> Vec<String> {
    lines.iter().map(Line::plain).collect()
}

#[test]
fn numeric_columns_are_right_aligned_and_rounded_once() {
    let t = Table::new("誤差", ["m", "相対誤差", "名前"])
        .row([Cell::from(5usize), 0.123456.into(), "a".into()])
        .row([Cell::from(500usize), 12.0.into(), "長い名前".into()]);
    assert_eq!(
        plain(&table(&t)),
        [
            "誤差",
            "  m  相対誤差  名前",
            "  5    0.1235  a",
            "500        12  長い名前",
        ]
    );
    let rows = table(&t);
    assert!(
        rows[2]
            .0
            .iter()
            .any(|s| s.role == Role::Number && s.text == "0.1235")
    );
}

#[test]
fn a_metric_reads_the_same_everywhere() {
    let m = Metric::at_most("err", 1e-8, 1e-6);
    let line = metric(&m);
    assert_eq!(line.plain(), "✓ err = 1e-8  (目標 ≤ 1e-6)");
    assert_eq!(line.0[0].role, Role::Pass);
    let missed = Metric::at_least("acc", 0.5, 0.9);
    assert_eq!(metric(&missed).0[0].role, Role::Fail);
}

#[test]
fn a_tensor_wraps_its_statistics_and_hides_rounding_noise() {
    let t = TensorSummary::of("x", &[2, 6], [-1.0, 1.0].into_iter().cycle().take(12));
    let wide = plain(&tensor(&t, 80));
    assert_eq!(
        wide,
        [
            "x  shape [2, 6]",
            "  平均 0  標準偏差 1  最小 -1  最大 1",
            "  [-1, 1, -1, 1, -1, 1, -1, 1, …]",
        ]
    );
    let narrow = plain(&tensor(&t, 20));
    assert!(narrow.len() > 3, "{narrow:?}");
    assert!(
        narrow.iter().all(|l| crate::wrap::width(l) <= 20),
        "{narrow:?}"
    );
}

#[test]
fn histograms_become_text_bars_scaled_to_the_largest_value() {
    let h = Histogram::new("h", "bin", ["a".to_string(), "b".into()])
        .set("real", [2.0, 4.0])
        .set("fake", [1.0, 0.0]);
    let lines = histogram(&h);
    assert_eq!(
        plain(&lines),
        [
            "h",
            "bin  real                fake",
            "a       2  ██████           1  ███",
            "b       4  ████████████     0",
        ]
    );
    assert!(lines[2].0.iter().any(|s| s.role == Role::Bar));
}
