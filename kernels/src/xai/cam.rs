//! `cam`: train a small GAP CNN on synthetic shapes, then ask where it looks — CAM, Grad-CAM
//! and Integrated Gradients — and score each map with the pointing game.
//!
//! The images ([`shapes`]) hold one of three shapes and a *brighter* 2×2 distractor blob, so a
//! map that merely follows intensity points at the blob; a map that follows the evidence the
//! network used for its class points at the object. The maths of the maps is in [`saliency`];
//! the network in [`gap_cnn`].
//!
//! [`shapes`]: super::shapes
//! [`saliency`]: super::saliency
//! [`gap_cnn`]: super::gap_cnn

use super::gap_cnn::{self, FEATURE_MAPS, GapCnn, TrainConfig};
use super::saliency::{
    cam, grad_cam, integrated_gradients, normalise_max, pointing_hit, upsample_bilinear,
};
use super::shapes::{self, CLASSES, NAMES, SIDE, argmax2};
use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::nn::{Adam, Params};
use crate::trace::{Goal, Image, Metric, Palette, StepDecl, Table, Trace, fmt_num};
use ndarray::{Array2, Axis, s};
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;

/// Target: the GAP-CNN classifies the held-out images.
pub const TEST_ACCURACY: Goal = Goal::at_least("test_accuracy", 0.93);
/// Target: CAM's maximum falls on the object.
pub const POINTING_GAME_CAM: Goal = Goal::at_least("pointing_game_cam", 0.90);
/// Target: Grad-CAM's maximum falls on the object.
pub const POINTING_GAME_GRADCAM: Goal = Goal::at_least("pointing_game_gradcam", 0.90);
/// Target: for a GAP network Grad-CAM equals CAM up to a scale.
pub const CAM_GRADCAM_DIFF: Goal = Goal::at_most("cam_gradcam_diff", 1e-5);
/// Target: Integrated Gradients' completeness error, median over images.
pub const IG_COMPLETENESS_MEDIAN: Goal = Goal::at_most("ig_completeness_median", 0.005);
/// Target: the same, 95th percentile.
pub const IG_COMPLETENESS_P95: Goal = Goal::at_most("ig_completeness_p95", 0.03);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "cam",
    title: "CAM / Grad-CAM / Integrated Gradients",
    summary: "GAP を持つ小さな CNN を図形画像で学習し、CAM・Grad-CAM・Integrated Gradients で判断の根拠を可視化して、ポインティングゲームで採点する",
    source: "xai/cam.rs",
    knobs: &[
        KnobSpec::int("steps", "Adam の更新回数", 2000, 1, 20_000),
        KnobSpec::int("batch", "ミニバッチの大きさ", 64, 1, 512),
        KnobSpec::float("lr", "Adam の学習率", 3e-3, 1e-5, 0.1),
        KnobSpec::int("train_images", "学習画像の枚数", 4000, 100, 20_000),
        KnobSpec::float(
            "noise",
            "画素ごとのガウスノイズの標準偏差 σ",
            0.25,
            0.0,
            1.0,
        ),
        KnobSpec::int(
            "ig_steps",
            "Integrated Gradients の積分の分割数 m (中点則)",
            64,
            1,
            512,
        ),
        KnobSpec::int(
            "ig_images",
            "Integrated Gradients を計算するテスト画像の枚数",
            100,
            1,
            200,
        ),
    ],
    steps: &[
        StepDecl::new("data", "データ: 図形と紛らわしい明るい点"),
        StepDecl::new("model", "GAP を持つ CNN"),
        StepDecl::new("train", "学習"),
        StepDecl::new("evaluate", "テスト画像での正解率"),
        StepDecl::new("cam", "CAM: クラスの重みを特徴マップに投影"),
        StepDecl::new("grad_cam", "Grad-CAM: 勾配で重み付け"),
        StepDecl::new("maps", "入力画像とヒートマップ"),
        StepDecl::new("pointing_game", "ポインティングゲーム"),
        StepDecl::new("integrated_gradients", "Integrated Gradients と完全性"),
    ],
    goals: &[
        TEST_ACCURACY,
        POINTING_GAME_CAM,
        POINTING_GAME_GRADCAM,
        CAM_GRADCAM_DIFF,
        IG_COMPLETENESS_MEDIAN,
        IG_COMPLETENESS_P95,
    ],
    run: run_knobs,
};

/// Test images: the first 200 are also used for the pointing game.
pub const TEST_IMAGES: usize = 600;
/// Images scored by the pointing game.
pub const POINTING_IMAGES: usize = 200;

/// The knobs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub train_images: usize,
    pub noise: f32,
    pub ig_steps: usize,
    pub ig_images: usize,
    pub seed: u64,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            steps: k.usize("steps"),
            batch: k.usize("batch"),
            lr: k.float("lr"),
            train_images: k.usize("train_images"),
            noise: k.float("noise") as f32,
            ig_steps: k.usize("ig_steps"),
            ig_images: k.usize("ig_images"),
            seed: k.seed,
        }
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}

fn gray(name: String, img: ndarray::ArrayView2<f32>, palette: Palette) -> Image {
    Image {
        name,
        width: img.ncols(),
        height: img.nrows(),
        palette,
        data: img.iter().copied().collect(),
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Runs the kernel; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let train = shapes::generate(cfg.train_images, cfg.noise, &mut rng);
    let test = shapes::generate(TEST_IMAGES, cfg.noise, &mut rng);
    let pointing = POINTING_IMAGES;
    let brightest_hits = (0..pointing)
        .filter(|&i| pointing_hit(&test.images.slice(s![i, 0, .., ..]), &test.boxes[i]))
        .count();
    let pointing_brightest = brightest_hits as f64 / pointing as f64;
    let examples: Vec<usize> = (0..CLASSES)
        .filter_map(|c| test.labels.iter().position(|&l| l == c))
        .collect();
    tr.step("data", |s| {
        s.text(format!(
            "{}×{} の画像に 3 種類の図形 (一辺 4〜6 px) のどれかが 1 つ。ノイズ σ = {} と、図形より明るい 2×2 の点 (明るさ {}) が図形から離れた場所にある。\
             「いちばん明るい画素」を指すだけでは図形に当たらない: テスト {pointing} 枚で図形の枠 ±1 px に入ったのは {:.3}。",
            SIDE, SIDE, cfg.noise, shapes::BLOB, pointing_brightest
        ));
        for &i in &examples {
            s.image(gray(format!("テスト画像 {i}: {}", NAMES[test.labels[i]]), test.images.slice(s![i, 0, .., ..]), Palette::Gray));
        }
        s.scalar("学習画像", cfg.train_images as f64).scalar("テスト画像", TEST_IMAGES as f64);
    })?;

    let mut net = GapCnn::new(CLASSES, &mut rng)?;
    let mut opt = Adam::new(cfg.lr, 0.9, 0.999, 1e-8)?;
    let n_params = net.num_params();
    tr.step("model", |s| {
        s.table(Table {
            name: "層と出力の形 (N 枚のバッチ)".into(),
            columns: ["層", "出力", "パラメータ数"].map(String::from).to_vec(),
            rows: [
                ["入力", "(N, 1, 16, 16)", "0"],
                ["conv 3×3, 1→8, ReLU", "(N, 8, 16, 16)", "80"],
                ["平均プーリング 2×2", "(N, 8, 8, 8)", "0"],
                ["conv 3×3, 8→16, ReLU = A", "(N, 16, 8, 8)", "1168"],
                ["GAP: F_k = (1/Z)Σ A_k(i,j)", "(N, 16)", "0"],
                ["全結合 y^c = Σ w_k^c F_k + b^c", "(N, 3)", "51"],
            ]
            .iter()
            .map(|r| r.map(String::from).to_vec())
            .collect(),
        });
        s.scalar("パラメータ数", n_params as f64);
    })?;

    let train_cfg = TrainConfig {
        steps: cfg.steps,
        batch: cfg.batch,
    };
    gap_cnn::train(&mut net, &mut opt, &train, &train_cfg, &mut rng, tr)?;

    let pred = gap_cnn::predict(&mut net, &test.images);
    let correct = pred
        .iter()
        .zip(&test.labels)
        .filter(|(p, l)| p == l)
        .count();
    let test_accuracy = correct as f64 / TEST_IMAGES as f64;
    tr.step("evaluate", |s| {
        let mut conf = vec![vec![0usize; CLASSES]; CLASSES];
        for (&p, &l) in pred.iter().zip(&test.labels) {
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
                        .collect()
                })
                .collect(),
        });
        s.scalar("テスト正解率", test_accuracy);
    })?;

    // CAM and Grad-CAM on the pointing-game images, for their true class.
    let xs = test.images.slice(s![..pointing, .., .., ..]).to_owned();
    let classes = &test.labels[..pointing];
    let (gcams, alphas) = grad_cam(&mut net, &xs, classes);
    let cams = cam(&net.features, &net.fc.w, classes);
    let z = (net.features.dim().2 * net.features.dim().3) as f32;
    let (mut diff, mut alpha_err) = (0.0f32, 0.0f32);
    for i in 0..pointing {
        let relu_cam = cams.index_axis(Axis(0), i).mapv(|v| v.max(0.0));
        let d = (normalise_max(&relu_cam) - normalise_max(&gcams.index_axis(Axis(0), i)))
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()));
        diff = diff.max(d);
        for k in 0..FEATURE_MAPS {
            alpha_err = alpha_err.max((alphas[[i, k]] - net.fc.w[[k, classes[i]]] / z).abs());
        }
    }
    let up = |m: ndarray::ArrayView2<f32>| upsample_bilinear(&m, SIDE, SIDE);
    let cam_hits = (0..pointing)
        .filter(|&i| pointing_hit(&up(cams.index_axis(Axis(0), i)), &test.boxes[i]))
        .count();
    let gcam_hits = (0..pointing)
        .filter(|&i| pointing_hit(&up(gcams.index_axis(Axis(0), i)), &test.boxes[i]))
        .count();
    let e0 = examples.first().copied().unwrap_or(0);
    tr.step("cam", |s| {
        s.text("CAM: M_c(i,j) = Σ_k w_k^c A_k(i,j)。最後の畳み込み層の 16 枚の特徴マップ A_k を、出力層のクラス c の重み w_k^c で足し合わせる。GAP と全結合は線形なので y^c = (1/Z) Σ_ij M_c(i,j) + b^c が成り立つ。");
        s.tensor(&format!("特徴マップ A (画像 {e0})"), &net.features.slice(s![e0, .., .., ..]));
        s.tensor(&format!("クラス重み w^c (c = {})", test.labels[e0]), &net.fc.w.column(test.labels[e0]));
        s.image(gray(format!("CAM M_c (8×8, 画像 {e0})"), cams.index_axis(Axis(0), e0), Palette::Heat));
    })?;
    tr.step("grad_cam", |s| {
        s.text("Grad-CAM: クラススコア y^c を A_k(i,j) で微分し、空間で平均した α_k^c を重みにして足し、ReLU をかける。この CNN では ∂y^c/∂A_k(i,j) = w_k^c / Z なので α_k^c = w_k^c / Z、つまり Grad-CAM = ReLU(CAM) / Z。");
        s.tensor(&format!("α^c (画像 {e0})"), &alphas.row(e0));
        s.scalar("max|α_k^c − w_k^c / Z|", f64::from(alpha_err));
        s.scalar("max|正規化 ReLU(CAM) − 正規化 Grad-CAM|", f64::from(diff));
    })?;

    // Integrated Gradients on the first ig_images test images.
    let mut completeness = Vec::new();
    let mut ig_maps = Vec::new();
    let mut ig_hits = 0;
    for i in 0..cfg.ig_images.min(pointing) {
        let (ig, fx, f0) = integrated_gradients(
            &mut net,
            &test.images.slice(s![i, .., .., ..]),
            test.labels[i],
            cfg.ig_steps,
        );
        let gap = f64::from(fx) - f64::from(f0);
        let err =
            (ig.iter().map(|&v| f64::from(v)).sum::<f64>() - gap).abs() / gap.abs().max(1e-12);
        KernelError::check_finite("IG completeness", err, i, "the network diverged")?;
        completeness.push(err);
        ig_hits += usize::from(pointing_hit(&ig.mapv(f32::abs), &test.boxes[i]));
        if examples.contains(&i) {
            ig_maps.push((i, ig));
        }
        tr.progress("Integrated Gradients", i + 1, cfg.ig_images)?;
    }
    for &i in &examples {
        let panel = {
            let (c, g) = (
                normalise_max(&up(cams.index_axis(Axis(0), i)).mapv(|v| v.max(0.0))),
                normalise_max(&up(gcams.index_axis(Axis(0), i))),
            );
            let mut p = Array2::zeros((SIDE, 2 * SIDE + 1));
            p.slice_mut(s![.., ..SIDE]).assign(&c);
            p.slice_mut(s![.., SIDE + 1..]).assign(&g);
            p
        };
        let (r, c) = argmax2(&up(cams.index_axis(Axis(0), i)));
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
        })?;
    }
    let n_ig = completeness.len().max(1);
    let pc = |h: usize, n: usize| h as f64 / n as f64;
    tr.step("pointing_game", |s| {
        s.table(Table {
            name: format!("マップの最大が図形の枠 ±1 px に入った割合 (テスト画像 {pointing} 枚)"),
            columns: ["マップ", "的中率"].map(String::from).to_vec(),
            rows: vec![
                vec!["CAM".into(), format!("{:.3}", pc(cam_hits, pointing))],
                vec!["Grad-CAM".into(), format!("{:.3}", pc(gcam_hits, pointing))],
                vec![
                    format!("|Integrated Gradients| ({} 枚)", completeness.len()),
                    format!("{:.3}", pc(ig_hits, n_ig)),
                ],
                vec![
                    "いちばん明るい画素".into(),
                    format!("{:.3}", pointing_brightest),
                ],
            ],
        });
    })?;

    let mut sorted = completeness.clone();
    sorted.sort_by(f64::total_cmp);
    let (median, p95) = (quantile(&sorted, 0.5), quantile(&sorted, 0.95));
    // How the midpoint rule converges on one image.
    let mut conv_rows = Vec::new();
    for m in [2usize, 4, 8, 16, 32, 64, 128] {
        let (ig, fx, f0) = integrated_gradients(
            &mut net,
            &test.images.slice(s![e0, .., .., ..]),
            test.labels[e0],
            m,
        );
        let gap = f64::from(fx) - f64::from(f0);
        conv_rows.push((
            m,
            (ig.iter().map(|&v| f64::from(v)).sum::<f64>() - gap).abs() / gap.abs().max(1e-12),
            gap,
        ));
    }
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
    })?;

    Ok(vec![
        TEST_ACCURACY.measure(test_accuracy),
        POINTING_GAME_CAM.measure(pc(cam_hits, pointing)),
        POINTING_GAME_GRADCAM.measure(pc(gcam_hits, pointing)),
        Metric::reported("pointing_game_brightest", pointing_brightest),
        Metric::reported("pointing_game_ig", pc(ig_hits, n_ig)),
        CAM_GRADCAM_DIFF.measure(f64::from(diff)),
        IG_COMPLETENESS_MEDIAN.measure(median),
        IG_COMPLETENESS_P95.measure(p95),
    ])
}
