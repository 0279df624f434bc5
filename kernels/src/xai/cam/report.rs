//! The `cam` kernel's steps: images, the network, the confusion matrix, the maps and the
//! pointing game, as trace values.

use super::super::gap_cnn::GapCnn;
use super::super::shapes::{self, CLASSES, NAMES, SIDE, ShapeSet as Shapes};
use super::{Config, POINTING_IMAGES, TEST_IMAGES, gray};
use crate::KernelError;
use crate::trace::{Cell, Palette, Table, Trace};
use ndarray::{Array2, Array3, Axis, s};

/// The task: a few test images, one per class, and the brightest-pixel baseline.
pub fn data(
    tr: &mut Trace,
    cfg: &Config,
    test: &Shapes,
    examples: &[usize],
    pointing_brightest: f64,
) -> Result<(), KernelError> {
    tr.step("data", |s| {
        s.scalar("画像の一辺 (px)", SIDE as f64);
        s.scalar("ノイズ σ", f64::from(cfg.noise))
            .scalar("明るい点の明るさ", f64::from(shapes::BLOB));
        s.scalar(
            &format!(
                "いちばん明るい画素が図形の枠 ±1 px に入った割合 (テスト {POINTING_IMAGES} 枚)"
            ),
            pointing_brightest,
        );
        for &i in examples {
            s.image(gray(
                format!("テスト画像 {i}: {}", NAMES[test.labels[i]]),
                test.images.slice(s![i, 0, .., ..]),
                Palette::Gray,
            ));
        }
        s.scalar("学習画像", cfg.train_images as f64)
            .scalar("テスト画像", TEST_IMAGES as f64);
    })
}

/// The GAP-CNN's layers, output shapes and parameter counts, read from the trained network
/// (`net.features` holds the last forward's `A (N, K, h, w)`).
pub fn model(tr: &mut Trace, net: &GapCnn) -> Result<(), KernelError> {
    let (c1, c0, k1, _) = net.conv1.w.dim(); // (out, in, kh, kw)
    let (c2, _, k2, _) = net.conv2.w.dim();
    let (_, _, h2, w2) = net.features.dim();
    let classes = net.fc.w.ncols();
    let params = [
        net.conv1.w.len() + net.conv1.b.len(),
        net.conv2.w.len() + net.conv2.b.len(),
        net.fc.w.len() + net.fc.b.len(),
    ];
    tr.step("model", |s| {
        let rows = [
            ("入力".to_string(), format!("(N, {c0}, {SIDE}, {SIDE})"), 0),
            (
                format!("conv {k1}×{k1}, {c0}→{c1}, ReLU"),
                format!("(N, {c1}, {SIDE}, {SIDE})"),
                params[0],
            ),
            (
                format!("平均プーリング {}×{}", SIDE / h2, SIDE / w2),
                format!("(N, {c1}, {h2}, {w2})"),
                0,
            ),
            (
                format!("conv {k2}×{k2}, {c1}→{c2}, ReLU = A"),
                format!("(N, {c2}, {h2}, {w2})"),
                params[1],
            ),
            (
                "GAP: F_k = (1/Z)Σ A_k(i,j)".to_string(),
                format!("(N, {c2})"),
                0,
            ),
            (
                "全結合 y^c = Σ w_k^c F_k + b^c".to_string(),
                format!("(N, {classes})"),
                params[2],
            ),
        ];
        s.table(
            Table::new(
                "層と出力の形 (N 枚のバッチ)",
                ["層", "出力", "パラメータ数"],
            )
            .rows(rows, |(layer, shape, n)| {
                [Cell::from(layer), shape.into(), n.into()]
            }),
        );
        s.scalar("パラメータ数", params.iter().sum::<usize>() as f64);
    })
}

/// The confusion matrix on the test images.
pub fn evaluate(
    tr: &mut Trace,
    pred: &[usize],
    labels: &[usize],
    test_accuracy: f64,
) -> Result<(), KernelError> {
    tr.step("evaluate", |s| {
        let mut conf = vec![vec![0usize; CLASSES]; CLASSES];
        for (&p, &l) in pred.iter().zip(labels) {
            conf[l][p] += 1;
        }
        let columns = std::iter::once("正解 \\ 予測").chain(NAMES);
        s.table(
            Table::new("混同行列 (行 = 正解、列 = 予測)", columns).rows(0..CLASSES, |l| {
                std::iter::once(Cell::from(NAMES[l])).chain(conf[l].iter().map(|&c| c.into()))
            }),
        );
        s.scalar("テスト正解率", test_accuracy);
    })
}

/// CAM of one example: its feature maps, class weights and map.
pub fn cam(
    tr: &mut Trace,
    net: &GapCnn,
    cams: &Array3<f32>,
    label: usize,
    e0: usize,
) -> Result<(), KernelError> {
    tr.step("cam", |s| {
        s.tensor(
            &format!("特徴マップ A (画像 {e0})"),
            &net.features.slice(s![e0, .., .., ..]),
        );
        s.tensor(
            &format!("クラス重み w^c (c = {})", label),
            &net.fc.w.column(label),
        );
        s.image(gray(
            format!("CAM M_c (8×8, 画像 {e0})"),
            cams.index_axis(Axis(0), e0),
            Palette::Heat,
        ));
    })
}

/// Grad-CAM's weights and its agreement with CAM.
pub fn grad_cam(
    tr: &mut Trace,
    alphas: &Array2<f32>,
    e0: usize,
    alpha_err: f32,
    diff: f32,
) -> Result<(), KernelError> {
    tr.step("grad_cam", |s| {
        s.tensor(&format!("α^c (画像 {e0})"), &alphas.row(e0));
        s.scalar("max|α_k^c − w_k^c / Z|", f64::from(alpha_err));
        s.scalar("max|正規化 ReLU(CAM) − 正規化 Grad-CAM|", f64::from(diff));
    })
}

/// Image `i` with its CAM | Grad-CAM panel and, if computed, its Integrated Gradients.
pub fn maps(
    tr: &mut Trace,
    i: usize,
    (test, pred): (&Shapes, &[usize]),
    (panel, (r, c)): (&Array2<f32>, (usize, usize)),
    ig_maps: &[(usize, Array2<f32>)],
) -> Result<(), KernelError> {
    tr.step("maps", |s| {
        let b = test.boxes[i];
        let verdict = if b.near(r, c, 1) {
            "図形の枠 ±1 px に入っている"
        } else {
            "図形の枠 ±1 px から外れている"
        };
        s.text(format!(
            "画像 {i} ({}、予測 {})。CAM の最大は ({r}, {c})、図形の枠は 行 {}〜{}・列 {}〜{}: {verdict}。",
            NAMES[test.labels[i]], NAMES[pred[i]], b.r0, b.r1, b.c0, b.c1
        ));
        s.image(gray(format!("入力画像 {i}"), test.images.slice(s![i, 0, .., ..]), Palette::Gray));
        s.image(gray("CAM (左) | Grad-CAM (右)、16×16 に双線形補間".into(), panel.view(), Palette::Heat));
        if let Some((_, ig)) = ig_maps.iter().find(|(j, _)| *j == i) {
            s.image(gray("Integrated Gradients (赤 = 正、青 = 負)".into(), ig.view(), Palette::Diverging));
        }
    })
}

/// The pointing game: how often each map's maximum falls on the shape.
pub fn pointing_game(
    tr: &mut Trace,
    [cam_hits, gcam_hits, ig_hits]: [usize; 3],
    n_ig: usize,
    pointing_brightest: f64,
) -> Result<(), KernelError> {
    let pointing = POINTING_IMAGES;
    let pc = |h: usize, n: usize| h as f64 / n.max(1) as f64;
    tr.step("pointing_game", |s| {
        let rows = [
            ("CAM".to_string(), pc(cam_hits, pointing)),
            ("Grad-CAM".to_string(), pc(gcam_hits, pointing)),
            (
                format!("|Integrated Gradients| ({n_ig} 枚)"),
                pc(ig_hits, n_ig),
            ),
            ("いちばん明るい画素".to_string(), pointing_brightest),
        ];
        let name = format!("マップの最大が図形の枠 ±1 px に入った割合 (テスト画像 {pointing} 枚)");
        s.table(
            Table::new(name, ["マップ", "的中率"])
                .rows(rows, |(map, rate)| [Cell::from(map), rate.into()]),
        );
    })
}

/// IG's completeness error over the images, and its convergence in the number of steps.
pub fn integrated_gradients(
    tr: &mut Trace,
    cfg: &Config,
    e0: usize,
    (median, p95): (f64, f64),
    conv_rows: &[(usize, f64, f64)],
) -> Result<(), KernelError> {
    tr.step("integrated_gradients", |s| {
        s.scalar("分割数 m (ig_steps)", cfg.ig_steps as f64);
        s.scalar("完全性の誤差 (中央値)", median)
            .scalar("完全性の誤差 (95% 点)", p95);
        let columns = ["m", "相対誤差", "F(x) − F(0)"];
        s.table(
            Table::new(format!("分割数 m と完全性の誤差 (画像 {e0})"), columns)
                .rows(conv_rows, |&(m, e, g)| [Cell::from(m), e.into(), g.into()]),
        );
    })
}
