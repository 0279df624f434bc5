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

mod report;

use super::gap_cnn::{self, FEATURE_MAPS, GapCnn, TrainConfig};
use super::saliency::{
    cam, grad_cam, integrated_gradients, normalise_max, pointing_hit, upsample_bilinear,
};
use super::shapes::{self, CLASSES, SIDE, argmax2};
use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::nn::Adam;
use crate::trace::{Goal, Image, Metric, Palette, StepDecl, Trace};
use ndarray::{Array2, Array3, Axis, s};
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

/// `max |normalised ReLU(CAM) − normalised Grad-CAM|` over the images, and
/// `max |α_k^c − w_k^c / Z|`: for a GAP network both are rounding errors.
fn grad_cam_vs_cam(
    cams: &Array3<f32>,   // (N, 8, 8)
    gcams: &Array3<f32>,  // (N, 8, 8)
    alphas: &Array2<f32>, // (N, K)
    w: &Array2<f32>,      // (K, classes)
    classes: &[usize],
    z: f32,
) -> (f32, f32) {
    let (mut diff, mut alpha_err) = (0.0f32, 0.0f32);
    for (i, &c) in classes.iter().enumerate() {
        let relu_cam = cams.index_axis(Axis(0), i).mapv(|v| v.max(0.0));
        let d = (normalise_max(&relu_cam) - normalise_max(&gcams.index_axis(Axis(0), i)))
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()));
        diff = diff.max(d);
        for k in 0..FEATURE_MAPS {
            alpha_err = alpha_err.max((alphas[[i, k]] - w[[k, c]] / z).abs());
        }
    }
    (diff, alpha_err)
}

/// Completeness of Integrated Gradients: `|Σ IG − (F(x) − F(0))| / |F(x) − F(0)|`, and the gap.
fn completeness_error(ig: &Array2<f32>, fx: f32, f0: f32) -> (f64, f64) {
    let gap = f64::from(fx) - f64::from(f0);
    let err = (ig.iter().map(|&v| f64::from(v)).sum::<f64>() - gap).abs() / gap.abs().max(1e-12);
    (err, gap)
}

/// Two `(SIDE, SIDE)` maps side by side with a one-pixel gap: `(SIDE, 2·SIDE + 1)`.
fn side_by_side(left: &Array2<f32>, right: &Array2<f32>) -> Array2<f32> {
    let mut p = Array2::zeros((SIDE, 2 * SIDE + 1));
    p.slice_mut(s![.., ..SIDE]).assign(left);
    p.slice_mut(s![.., SIDE + 1..]).assign(right);
    p
}

/// The Integrated Gradients maps `(16, 16)` of some test images, by image index.
type IgMaps = Vec<(usize, Array2<f32>)>;

/// Integrated Gradients on the first `ig_images` test images: each image's completeness
/// error, how many maxima of `|IG|` hit the shape, and the maps of the `examples`.
fn ig_over_test(
    net: &mut GapCnn,
    cfg: &Config,
    test: &shapes::ShapeSet,
    examples: &[usize],
    tr: &mut Trace,
) -> Result<(Vec<f64>, usize, IgMaps), KernelError> {
    let mut completeness = Vec::new();
    let mut ig_maps = Vec::new();
    let mut ig_hits = 0;
    for i in 0..cfg.ig_images.min(POINTING_IMAGES) {
        let x = test.images.slice(s![i, .., .., ..]);
        let (ig, fx, f0) = integrated_gradients(net, &x, test.labels[i], cfg.ig_steps);
        let (err, _) = completeness_error(&ig, fx, f0);
        KernelError::check_finite("IG completeness", err, i, "the network diverged")?;
        completeness.push(err);
        ig_hits += usize::from(pointing_hit(&ig.mapv(f32::abs), &test.boxes[i]));
        if examples.contains(&i) {
            ig_maps.push((i, ig));
        }
        tr.progress("Integrated Gradients", i + 1, cfg.ig_images)?;
    }
    Ok((completeness, ig_hits, ig_maps))
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
    report::data(tr, cfg, &test, &examples, pointing_brightest)?;

    let mut net = GapCnn::new(CLASSES, &mut rng)?;
    let mut opt = Adam::new(cfg.lr, 0.9, 0.999, 1e-8)?;
    // One forward pass fills `net.features`, whose shape the model table shows.
    gap_cnn::predict(&mut net, &test.images.slice(s![..1, .., .., ..]).to_owned());
    report::model(tr, &net)?;

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
    report::evaluate(tr, &pred, &test.labels, test_accuracy)?;

    // CAM and Grad-CAM on the pointing-game images, for their true class.
    let xs = test.images.slice(s![..pointing, .., .., ..]).to_owned();
    let classes = &test.labels[..pointing];
    let (gcams, alphas) = grad_cam(&mut net, &xs, classes);
    let cams = cam(&net.features, &net.fc.w, classes);
    let z = (net.features.dim().2 * net.features.dim().3) as f32;
    let (diff, alpha_err) = grad_cam_vs_cam(&cams, &gcams, &alphas, &net.fc.w, classes, z);
    let up = |m: ndarray::ArrayView2<f32>| upsample_bilinear(&m, SIDE, SIDE);
    let cam_hits = (0..pointing)
        .filter(|&i| pointing_hit(&up(cams.index_axis(Axis(0), i)), &test.boxes[i]))
        .count();
    let gcam_hits = (0..pointing)
        .filter(|&i| pointing_hit(&up(gcams.index_axis(Axis(0), i)), &test.boxes[i]))
        .count();
    let e0 = examples.first().copied().unwrap_or(0);
    report::cam(tr, &net, &cams, test.labels[e0], e0)?;
    report::grad_cam(tr, &alphas, e0, alpha_err, diff)?;

    // Integrated Gradients on the first ig_images test images.
    let (completeness, ig_hits, ig_maps) = ig_over_test(&mut net, cfg, &test, &examples, tr)?;
    for &i in &examples {
        let panel = side_by_side(
            &normalise_max(&up(cams.index_axis(Axis(0), i)).mapv(|v| v.max(0.0))),
            &normalise_max(&up(gcams.index_axis(Axis(0), i))),
        );
        let (r, c) = argmax2(&up(cams.index_axis(Axis(0), i)));
        report::maps(tr, i, (&test, &pred), (&panel, (r, c)), &ig_maps)?;
    }
    let n_ig = completeness.len().max(1);
    let pc = |h: usize, n: usize| h as f64 / n as f64;
    report::pointing_game(
        tr,
        [cam_hits, gcam_hits, ig_hits],
        completeness.len(),
        pointing_brightest,
    )?;

    let mut sorted = completeness.clone();
    sorted.sort_by(f64::total_cmp);
    let (median, p95) = (quantile(&sorted, 0.5), quantile(&sorted, 0.95));
    // How the midpoint rule converges on one image: (m, completeness error, F(x) − F(0)).
    let conv_rows: Vec<(usize, f64, f64)> = [2usize, 4, 8, 16, 32, 64, 128]
        .into_iter()
        .map(|m| {
            let x = test.images.slice(s![e0, .., .., ..]);
            let (ig, fx, f0) = integrated_gradients(&mut net, &x, test.labels[e0], m);
            let (err, gap) = completeness_error(&ig, fx, f0);
            (m, err, gap)
        })
        .collect();
    report::integrated_gradients(tr, cfg, e0, (median, p95), &conv_rows)?;

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
