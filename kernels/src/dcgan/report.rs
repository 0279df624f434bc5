//! What the `dcgan` kernel records in its trace (kept apart from the training loop).

use super::nets::{Discriminator, Generator};
use super::{COVERAGE_SHARE, Config, EVAL_SAMPLES, IterStats};
use crate::KernelError;
use crate::data::digits::Digits;
use crate::generative::{
    by_class, class_table, d_histogram, mean_prob, real_examples, sample_grid,
};
use crate::judge::{Judge, as_images, score};
use crate::nn::Params;
use crate::nn::activation::sigmoid;
use crate::trace::{Table, Trace, fmt_num};
use ndarray::{Array2, Array4};

pub(crate) fn data(tr: &mut Trace, train: &Digits, judge: &Judge) -> Result<(), KernelError> {
    let examples = real_examples(train, 6);
    tr.step("data", |s| {
        s.text(format!(
            "学習に使う本物の数字 ({} 枚、8×8 画素)。G の出力 (tanh) に合わせて画素を [0, 1] から [−1, 1] に直して使う。\
             できばえの採点には、本物の数字で別に学習させた小さな CNN「判定器 (judge)」を使う。\
             テスト用の数字に対する判定器の正解率は {:.1} %。",
            train.len(),
            judge.test_accuracy * 100.0
        ));
        s.image(sample_grid("本物の数字 (1 行に 1 クラス)", &examples, 6));
        s.scalar("judge_accuracy (テスト 355 枚)", judge.test_accuracy);
        s.scalar("1 ピクセルずらしたテスト画像での正解率", judge.shifted_test_accuracy);
    })
}

/// `(name, output shape, parameter count, note)` rows for a table.
fn layer_row(name: &str, shape: &str, params: usize, note: &str) -> Vec<String> {
    vec![name.into(), shape.into(), params.to_string(), note.into()]
}

pub(super) fn architecture(
    tr: &mut Trace,
    g: &mut Generator<f32>,
    d: &mut Discriminator<f32>,
    cfg: &Config,
) -> Result<(), KernelError> {
    let z = cfg.z_dim;
    let rows = vec![
        layer_row(
            "G 入力 z",
            &format!("({z}, 1, 1)"),
            0,
            "ノイズ。全結合層は使わない",
        ),
        layer_row(
            "G ConvT k2",
            "(64, 2, 2)",
            g.up1.num_params(),
            "転置畳み込みで拡大",
        ),
        layer_row("G BN + ReLU", "(64, 2, 2)", g.bn1.num_params(), ""),
        layer_row(
            "G ConvT k4 s2 p1",
            "(32, 4, 4)",
            g.up2.num_params(),
            "2 倍に拡大",
        ),
        layer_row("G BN + ReLU", "(32, 4, 4)", g.bn2.num_params(), ""),
        layer_row(
            "G ConvT k4 s2 p1",
            "(1, 8, 8)",
            g.up3.num_params(),
            "出力層は BN なし",
        ),
        layer_row("G tanh", "(1, 8, 8)", 0, "画素は −1〜1"),
        layer_row(
            "D Conv k4 s2 p1",
            "(32, 4, 4)",
            d.down1.num_params(),
            "入力層は BN なし。プーリングの代わりにストライド",
        ),
        layer_row("D LeakyReLU 0.2", "(32, 4, 4)", 0, ""),
        layer_row(
            "D Conv k4 s2 p1",
            "(64, 2, 2)",
            d.down2.num_params(),
            "1/2 に縮小",
        ),
        layer_row("D BN + LeakyReLU", "(64, 2, 2)", d.bn2.num_params(), ""),
        layer_row(
            "D Conv k2",
            "(1, 1, 1)",
            d.out.num_params(),
            "ロジット 1 つ",
        ),
        layer_row("D sigmoid", "(1)", 0, "本物である確率 (損失の中で計算)"),
    ];
    tr.step("architecture", |s| {
        s.table(Table {
            name: "G と D の層 (形は 1 サンプル分)".into(),
            columns: ["層", "出力の形", "パラメータ数", "指針"]
                .map(String::from)
                .to_vec(),
            rows: rows.into(),
        });
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
        s.text(format!(
            "学習後の G から {EVAL_SAMPLES} 枚を生成し、判定器で p(y|x) を求める。\
             classifier score = exp(E_x KL(p(y|x) ‖ p(y))) は、1 枚ずつがはっきりどれかの数字に見え (p(y|x) が尖る)、\
             しかも 10 種類がまんべんなく出る (p(y) が平ら) ときに大きくなる。最大は 10、本物の数字では {}。\
             一部の数字しか作れない「モード崩壊 (mode collapse)」が起きると、スコアも被覆数 (coverage) も下がる。",
            fmt_num(real_cs)
        ));
        s.image(sample_grid("判定器が分類した生成サンプル (1 行に 1 クラス)", &by_class(samples, &classes, 6), 6));
        s.table(class_table("判定器によるクラスの内訳", &counts));
        s.scalar("classifier_score", cs);
        s.scalar("本物の数字の classifier score", real_cs);
        s.scalar(&format!("クラス数 (割合 ≥ {:.0} %)", COVERAGE_SHARE * 100.0), coverage as f64);
        s.scalar("確信度 ≥ 0.9 のサンプルの割合", confident as f64 / p.nrows().max(1) as f64);
    })?;
    Ok(real_cs)
}
