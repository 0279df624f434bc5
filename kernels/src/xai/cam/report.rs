//! The `cam` kernel's steps: images, the network, the confusion matrix, the maps and the
//! pointing game, as trace values.

use super::super::gap_cnn::GapCnn;
use super::super::shapes::{self, CLASSES, NAMES, SIDE, ShapeSet as Shapes};
use super::{Config, POINTING_IMAGES, TEST_IMAGES, gray};
use crate::KernelError;
use crate::trace::{Cell, Palette, Table, Trace, fmt_num};
use ndarray::{Array2, Array3, Axis, s};

/// The task: a few test images, one per class, and the brightest-pixel baseline.
pub fn data(
    tr: &mut Trace,
    cfg: &Config,
    test: &Shapes,
    examples: &[usize],
    pointing_brightest: f64,
) -> Result<(), KernelError> {
    let pointing = POINTING_IMAGES;
    tr.step("data", |s| {
        s.text(format!(
            "{}×{} の画像に 3 種類の図形 (一辺 4〜6 px) のどれかが 1 つ。ノイズ σ = {} と、図形より明るい 2×2 の点 (明るさ {}) が図形から離れた場所にある。\
             「いちばん明るい画素」を指すだけでは図形に当たらない: テスト {pointing} 枚で図形の枠 ±1 px に入ったのは {:.3}。",
            SIDE, SIDE, cfg.noise, shapes::BLOB, pointing_brightest
        ));
        for &i in examples {
            s.image(gray(format!("テスト画像 {i}: {}", NAMES[test.labels[i]]), test.images.slice(s![i, 0, .., ..]), Palette::Gray));
        }
        s.scalar("学習画像", cfg.train_images as f64).scalar("テスト画像", TEST_IMAGES as f64);
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
        s.table(Table {
            name: "混同行列 (行 = 正解、列 = 予測)".into(),
            columns: std::iter::once("正解 \\ 予測".to_string())
                .chain(NAMES.iter().map(|n| n.to_string()))
                .collect(),
            rows: (0..CLASSES)
                .map(|l| {
                    std::iter::once(NAMES[l].to_string())
                        .chain(conf[l].iter().map(|c| c.to_string()))
                        .collect::<Vec<String>>()
                })
                .collect(),
        });
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
        s.text("CAM: M_c(i,j) = Σ_k w_k^c A_k(i,j)。最後の畳み込み層の 16 枚の特徴マップ A_k を、出力層のクラス c の重み w_k^c で足し合わせる。GAP と全結合は線形なので y^c = (1/Z) Σ_ij M_c(i,j) + b^c が成り立つ。");
        s.tensor(&format!("特徴マップ A (画像 {e0})"), &net.features.slice(s![e0, .., .., ..]));
        s.tensor(&format!("クラス重み w^c (c = {})", label), &net.fc.w.column(label));
        s.image(gray(format!("CAM M_c (8×8, 画像 {e0})"), cams.index_axis(Axis(0), e0), Palette::Heat));
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
        s.text("Grad-CAM: クラススコア y^c を A_k(i,j) で微分し、空間で平均した α_k^c を重みにして足し、ReLU をかける。この CNN では ∂y^c/∂A_k(i,j) = w_k^c / Z なので α_k^c = w_k^c / Z、つまり Grad-CAM = ReLU(CAM) / Z。");
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
        s.text(format!(
            "画像 {i} ({}、予測 {})。CAM の最大は ({r}, {c})、図形の枠は 行 {}〜{}・列 {}〜{}。明るい点ではなく図形の上が赤くなっている。",
            NAMES[test.labels[i]], NAMES[pred[i]], test.boxes[i].r0, test.boxes[i].r1, test.boxes[i].c0, test.boxes[i].c1
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
        s.table(Table {
            name: format!("マップの最大が図形の枠 ±1 px に入った割合 (テスト画像 {pointing} 枚)"),
            columns: ["マップ", "的中率"].map(String::from).to_vec(),
            rows: vec![
                vec!["CAM".into(), format!("{:.3}", pc(cam_hits, pointing))],
                vec!["Grad-CAM".into(), format!("{:.3}", pc(gcam_hits, pointing))],
                vec![
                    format!("|Integrated Gradients| ({n_ig} 枚)"),
                    format!("{:.3}", pc(ig_hits, n_ig)),
                ],
                vec![
                    "いちばん明るい画素".into(),
                    format!("{:.3}", pointing_brightest),
                ],
            ]
            .into(),
        });
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
        s.text(format!(
            "IG_i = x_i · (1/m) Σ_k ∂F(α_k x)/∂x_i、α_k = (k − ½)/m (基準画像 x' = 0、m = {})。完全性 Σ_i IG_i = F(x) − F(0) がどれだけ成り立つかを |Σ IG − (F(x) − F(0))| / |F(x) − F(0)| で測る。",
            cfg.ig_steps
        ));
        s.scalar("完全性の誤差 (中央値)", median).scalar("完全性の誤差 (95% 点)", p95);
        s.table(Table {
            name: format!("分割数 m と完全性の誤差 (画像 {e0})"),
            columns: ["m", "相対誤差", "F(x) − F(0)"].map(String::from).to_vec(),
            rows: conv_rows.iter().map(|&(m, e, g)| vec![m.to_string(), fmt_num(e), fmt_num(g)]).collect(),
        });
    })
}
