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
fn a_long_tensor_name_wraps_and_its_shape_moves_to_its_own_line() {
    let name = "dL/dG(z): 生成器の出力に対する勾配 (D を通して逆伝播したもの)";
    let t = TensorSummary::of(name, &[32, 1, 8, 8], (0..2048).map(f64::from));
    for cols in [30, 50, 70] {
        let lines = plain(&tensor(&t, cols));
        assert!(
            lines.iter().all(|l| crate::wrap::width(l) <= cols),
            "{cols}: {lines:?}"
        );
        let text: String = lines.concat();
        assert!(text.contains("shape [32, 1, 8, 8]"), "{cols}: {lines:?}");
        assert!(
            text.contains("(D を通して逆伝播したもの)"),
            "{cols}: {lines:?}"
        );
    }
    let wide = plain(&tensor(&t, 120));
    assert_eq!(wide[0], format!("{name}  shape [32, 1, 8, 8]"));
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
