//! What the `dcgan` kernel records in its trace (kept apart from the training loop).

use super::nets::{Discriminator, Generator};
use super::{COVERAGE_SHARE, Config, EVAL_SAMPLES, IterStats};
use crate::KernelError;
use crate::data::digits::{Digits, SIDE};
use crate::generative::{
    by_class, class_table, d_histogram, mean_prob, real_examples, sample_grid,
};
use crate::judge::{Judge, as_images, score};
use crate::nn::Params;
use crate::nn::activation::sigmoid;
use crate::nn::{Conv2d, ConvTranspose2d};
use crate::trace::{Cell, StepBuilder, Table, Trace};
use ndarray::{Array2, Array4};

pub(crate) fn data(tr: &mut Trace, train: &Digits) -> Result<(), KernelError> {
    let examples = real_examples(train, 6);
    tr.step("data", |s| {
        s.scalar("学習に使う本物の数字 (枚、8×8 画素)", train.len() as f64);
        s.image(sample_grid("本物の数字 (1 行に 1 クラス)", &examples, 6));
    })
}

/// How well the judge itself reads real test digits (shown where it scores the samples).
pub(crate) fn judge_accuracy(s: &mut StepBuilder, judge: &Judge) {
    let label = format!("judge_accuracy (本物のテスト画像 {} 枚)", judge.test_images);
    s.scalar(&label, judge.test_accuracy);
    s.scalar(
        "1 ピクセルずらしたテスト画像での正解率",
        judge.shifted_test_accuracy,
    );
}

/// An output shape `(C, H, W)` of one sample.
type Shape = (usize, usize, usize);

/// `(C, H, W)` written as a tuple.
fn shape((c, h, w): Shape) -> String {
    format!("({c}, {h}, {w})")
}

/// A transposed convolution's output `(C_out, OH, OW)` for an input of side `(h, w)`, and its
/// hyper-parameters as `k… s… p…` (weight `(C_in, C_out, k, k)`).
fn up(l: &ConvTranspose2d<f32>, (h, w): (usize, usize)) -> Result<(Shape, String), KernelError> {
    let (_, c, k, _) = l.w.dim();
    let (oh, ow) = l.output_size(h, w)?;
    Ok(((c, oh, ow), format!("k{k} s{} p{}", l.stride, l.padding)))
}

/// A convolution's output `(C_out, OH, OW)` for an input of side `(h, w)`, and its
/// hyper-parameters (weight `(C_out, C_in, k, k)`).
fn down(l: &Conv2d<f32>, (h, w): (usize, usize)) -> Result<(Shape, String), KernelError> {
    let (c, _, k, _) = l.w.dim();
    let (oh, ow) = l.output_size(h, w)?;
    Ok(((c, oh, ow), format!("k{k} s{} p{}", l.stride, l.padding)))
}

/// The layers of G and D with their output shapes and parameter counts, all read from the
/// networks (weights' shapes, strides, paddings) rather than written down.
pub(super) fn architecture(
    tr: &mut Trace,
    g: &mut Generator<f32>,
    d: &mut Discriminator<f32>,
    cfg: &Config,
) -> Result<(), KernelError> {
    let z = (cfg.z_dim, 1, 1);
    let side = |(_, h, w): Shape| (h, w);
    let (g1, k1) = up(&g.up1, side(z))?;
    let (g2, k2) = up(&g.up2, side(g1))?;
    let (g3, k3) = up(&g.up3, side(g2))?;
    let image = (d.down1.w.dim().1, SIDE, SIDE);
    let (d1, kd1) = down(&d.down1, side(image))?;
    let (d2, kd2) = down(&d.down2, side(d1))?;
    let (d3, kd3) = down(&d.out, side(d2))?;
    let rows: Vec<(String, Shape, usize, &str)> = vec![
        ("G 入力 z".into(), z, 0, "ノイズ。全結合層は使わない"),
        (
            format!("G ConvT {k1}"),
            g1,
            g.up1.num_params(),
            "転置畳み込みで拡大",
        ),
        ("G BN + ReLU".into(), g1, g.bn1.num_params(), ""),
        (
            format!("G ConvT {k2}"),
            g2,
            g.up2.num_params(),
            "2 倍に拡大",
        ),
        ("G BN + ReLU".into(), g2, g.bn2.num_params(), ""),
        (
            format!("G ConvT {k3}"),
            g3,
            g.up3.num_params(),
            "出力層は BN なし",
        ),
        ("G tanh".into(), g3, 0, "画素は −1〜1"),
        ("D 入力".into(), image, 0, "画像"),
        (
            format!("D Conv {kd1}"),
            d1,
            d.down1.num_params(),
            "入力層は BN なし。プーリングの代わりにストライド",
        ),
        ("D LeakyReLU 0.2".into(), d1, 0, ""),
        (
            format!("D Conv {kd2}"),
            d2,
            d.down2.num_params(),
            "1/2 に縮小",
        ),
        ("D BN + LeakyReLU".into(), d2, d.bn2.num_params(), ""),
        (
            format!("D Conv {kd3}"),
            d3,
            d.out.num_params(),
            "ロジット 1 つ",
        ),
        ("D sigmoid".into(), d3, 0, "本物である確率 (損失の中で計算)"),
    ];
    tr.step("architecture", |s| {
        let columns = ["層", "出力の形", "パラメータ数", "指針"];
        s.table(
            Table::new("G と D の層 (形は 1 サンプル分)", columns)
                .rows(rows, |(name, out, n, note)| {
                    [Cell::from(name), shape(out).into(), n.into(), note.into()]
                }),
        );
        s.scalar("G のパラメータ数", g.num_params() as f64);
        s.scalar("D のパラメータ数", d.num_params() as f64);
    })
}

pub(super) fn first_iteration(
    tr: &mut Trace,
    st: &IterStats,
    fake: &Array4<f32>,
) -> Result<(), KernelError> {
    let probs = |l: &ndarray::Array1<f32>| l.mapv(sigmoid);
    tr.step("d_update", |s| {
        s.tensor("D(x): 本物のバッチ", &probs(&st.real_logits));
        s.tensor("D(G(z)): 偽物のバッチ", &probs(&st.fake_logits));
        s.scalar("loss_D", f64::from(st.loss_d));
        s.image(sample_grid("学習前の G(z): まだノイズ", fake, 8));
    })?;
    tr.step("g_update", |s| {
        s.scalar("loss_G", f64::from(st.loss_g));
        s.tensor("dL/dG(z): D から G の出力へ届いた勾配", &st.dfake);
    })
}

pub(super) fn progress(
    tr: &mut Trace,
    it: usize,
    st: &IterStats,
    grid: &Array4<f32>,
) -> Result<(), KernelError> {
    let x = it as f64;
    let (d_real, d_fake) = (
        mean_prob(st.real_logits.as_slice().unwrap_or(&[])),
        mean_prob(st.fake_logits.as_slice().unwrap_or(&[])),
    );
    tr.step("progress", |s| {
        s.series("loss_D", x, f64::from(st.loss_d));
        s.series("loss_G", x, f64::from(st.loss_g));
        s.series("平均 D(x)", x, d_real);
        s.series("平均 D(G(z))", x, d_fake);
        s.image(sample_grid(
            &format!("反復 {it}: 固定したノイズ 32 個からの G(z)"),
            grid,
            8,
        ));
        s.histogram(d_histogram(
            &format!("反復 {it}: D の出力の分布"),
            st.real_logits.as_slice().unwrap_or(&[]),
            st.fake_logits.as_slice().unwrap_or(&[]),
        ));
    })
}

/// Records the final scoring; returns the classifier score of the real digits (the reference).
pub(super) fn evaluation(
    tr: &mut Trace,
    judge: &Judge,
    all: &Digits,
    samples: &Array4<f32>,
    p: &Array2<f32>,
    cs: f64,
) -> Result<f64, KernelError> {
    let real_cs = score::classifier_score(&judge.probabilities(&as_images(all)));
    let counts = score::class_counts(p);
    let coverage = score::class_coverage(p, COVERAGE_SHARE);
    let classes = score::argmax_rows(p);
    let confident = p
        .rows()
        .into_iter()
        .filter(|r| r.iter().copied().fold(0.0f32, f32::max) >= 0.9)
        .count();
    tr.step("evaluation", |s| {
        s.scalar("判定器で採点した生成サンプル (枚)", EVAL_SAMPLES as f64);
        s.image(sample_grid(
            "判定器が分類した生成サンプル (1 行に 1 クラス)",
            &by_class(samples, &classes, 6),
            6,
        ));
        s.table(class_table("判定器によるクラスの内訳", &counts));
        judge_accuracy(s, judge);
        s.scalar("classifier_score", cs);
        s.scalar("本物の数字の classifier score", real_cs);
        s.scalar(
            &format!("クラス数 (割合 ≥ {:.0} %)", COVERAGE_SHARE * 100.0),
            coverage as f64,
        );
        s.scalar(
            "確信度 ≥ 0.9 のサンプルの割合",
            confident as f64 / p.nrows().max(1) as f64,
        );
    })?;
    Ok(real_cs)
}
