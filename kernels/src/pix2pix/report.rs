//! What the `pix2pix` kernel records in its trace (kept apart from the training loop).

use super::data::SIDE;
use super::patchgan::{NDF, PATCHES};
use super::unet::NGF;
use super::{Config, Pairs, Trained, Variant};
use crate::KernelError;
use crate::generative::{mean_prob, sample_grid};
use crate::nn::activation::sigmoid;
use crate::trace::{Cell, Image, Palette, Table, Trace};
use ndarray::{Array4, Axis, concatenate, s};

/// Examples shown in the grids (four 16×16 tiles fit an 80-column terminal).
const SHOWN: usize = 4;

/// Rows of `SHOWN` tiles: one row per array, in order.
fn rows_grid(name: &str, rows: &[&Array4<f32>]) -> Image {
    let views: Vec<_> = rows
        .iter()
        .map(|a| a.slice(s![..SHOWN, .., .., ..]))
        .collect();
    let stacked = concatenate(Axis(0), &views).unwrap_or_else(|_| Array4::zeros((0, 1, 16, 16)));
    sample_grid(name, &stacked, SHOWN)
}

/// The batch mean of `σ(logit)` per patch, as a 4×4 heat map.
fn patch_map(name: &str, logits: &Array4<f32>) -> Image {
    let probs = logits.mapv(sigmoid);
    let mean = probs.mean_axis(Axis(0)).and_then(|m| m.mean_axis(Axis(0)));
    Image {
        name: name.to_string(),
        width: PATCHES,
        height: PATCHES,
        palette: Palette::Heat,
        data: mean.map_or_else(Vec::new, |m| {
            m.iter().map(|&v| (v * 100.0).round() / 100.0).collect()
        }),
    }
}

pub(super) fn task(tr: &mut Trace, test: &Pairs) -> Result<(), KernelError> {
    tr.step("task", |s| {
        s.image(rows_grid(
            "上: 入力 x (下半分を隠した)、下: 正解 y",
            &[&test.x, &test.y],
        ));
        s.scalar("テストのペア数", test.x.len_of(Axis(0)) as f64);
    })
}

pub(super) fn architecture(tr: &mut Trace, cfg: &Config) -> Result<(), KernelError> {
    tr.step("architecture", |s| {
        s.scalar("L1 項の重み λ", cfg.lambda_l1);
        // Each encoder block halves the side and doubles the channels; the decoder mirrors it.
        let shape = |c: usize, side: usize| format!("({c},{side},{side})");
        let (h1, h2, h3, h4) = (SIDE / 2, SIDE / 4, SIDE / 8, SIDE / 16);
        let encoder = [
            shape(NGF, h1),
            shape(2 * NGF, h2),
            shape(4 * NGF, h3),
            shape(8 * NGF, h4),
        ];
        let decoder = [
            shape(4 * NGF, h3),
            shape(2 * NGF, h2),
            shape(NGF, h1),
            shape(1, SIDE),
        ];
        let patches = [
            shape(2, SIDE),
            shape(NDF, h1),
            shape(2 * NDF, h2),
            shape(1, PATCHES),
        ];
        let rows = [
            (
                "G encoder",
                "Conv k4 s2 p1 ×4 (BN, LeakyReLU)",
                encoder.join(" → "),
            ),
            (
                "G decoder",
                "ConvT k4 s2 p1 ×4 (BN, ReLU; 最後は tanh)",
                decoder.join(" → "),
            ),
            (
                "スキップ接続",
                "encoder の出力を decoder の入力に連結",
                "チャネル数が 2 倍".into(),
            ),
            (
                "D (PatchGAN)",
                "Conv k4 s2 ×2 + 1×1 Conv",
                patches.join(" → "),
            ),
        ];
        s.table(
            Table::new(
                format!("ネットワーク (ngf = {NGF}, ndf = {NDF})"),
                ["部分", "層", "出力の形"],
            )
            .rows(rows, |(part, layers, out)| {
                [Cell::from(part), layers.into(), out.into()]
            }),
        );
    })
}

pub(super) fn first_iteration(
    tr: &mut Trace,
    x: &Array4<f32>,
    real_logits: &Array4<f32>,
    fake_logits: &Array4<f32>,
    loss_d: f32,
    loss_adv: f32,
) -> Result<(), KernelError> {
    tr.step("d_update", |s| {
        s.image(patch_map("D(x, y): 本物の組のパッチ", real_logits));
        s.image(patch_map("D(x, G(x)): 生成した組のパッチ", fake_logits));
        s.scalar("loss_D", f64::from(loss_d));
        s.scalar("バッチの大きさ", x.len_of(Axis(0)) as f64);
    })?;
    tr.step("g_update", |s| {
        s.scalar("L_cGAN (G)", f64::from(loss_adv));
    })
}

pub(super) fn progress(
    tr: &mut Trace,
    variant: Variant,
    it: usize,
    [loss_d, loss_adv, loss_l1]: [f32; 3],
    [test_x, sample, test_y]: [&Array4<f32>; 3],
    patch_logits: Option<&(Array4<f32>, Array4<f32>)>,
) -> Result<(), KernelError> {
    let x = it as f64;
    let name = variant.name();
    tr.step("progress", |s| {
        s.text(format!("{name}: 反復 {it}"));
        s.series(&format!("L1 ({name})"), x, f64::from(loss_l1));
        if variant != Variant::UNetL1 {
            s.series(&format!("loss_D ({name})"), x, f64::from(loss_d));
            s.series(&format!("L_cGAN ({name})"), x, f64::from(loss_adv));
        }
        s.image(rows_grid(
            &format!("{name}, 反復 {it}: 上から入力・出力・正解"),
            &[test_x, sample, test_y],
        ));
        if let Some((real, fake)) = patch_logits {
            s.image(patch_map("D の判定 (このバッチの平均): 本物の組", real));
            s.image(patch_map("D の判定 (このバッチの平均): 生成した組", fake));
            s.scalar(
                "全パッチ平均 D(x, y)",
                mean_prob(real.as_slice().unwrap_or(&[])),
            );
            s.scalar(
                "全パッチ平均 D(x, G(x))",
                mean_prob(fake.as_slice().unwrap_or(&[])),
            );
        }
    })
}

/// The three models side by side; `real` is `(judge accuracy, generated-half high-frequency
/// energy)` of the real targets.
pub(super) fn ablation(
    tr: &mut Trace,
    results: &[Trained],
    test: &Pairs,
    (real_accuracy, real_hf): (f64, f64),
) -> Result<(), KernelError> {
    let columns = [
        "モデル",
        "L1 誤差",
        "判定器の正解率",
        "正解率の比 (÷ 本物)",
        "sharpness (下半分)",
        "高周波エネルギーの比 (÷ 本物、下半分)",
    ];
    let outs: Vec<&Array4<f32>> = results.iter().map(|r| &r.outputs).collect();
    tr.step("ablation", |s| {
        s.table(
            Table::new(
                format!("テスト {} 枚での比較", test.x.len_of(Axis(0))),
                columns,
            )
            .rows(results, |r| {
                [
                    Cell::from(r.variant.name()),
                    r.test_l1.into(),
                    r.fcn_accuracy.into(),
                    (r.fcn_accuracy / real_accuracy.max(1e-9)).into(),
                    r.sharpness_bottom.into(),
                    (r.hf / real_hf.max(1e-12)).into(),
                ]
            }),
        );
        s.scalar("判定器の正解率 (正解 y を 8×8 に縮小)", real_accuracy);
        s.scalar("本物 (正解 y) の高周波エネルギー (下半分)", real_hf);
        let mut all = vec![&test.x];
        all.extend(outs.iter().copied());
        all.push(&test.y);
        s.image(rows_grid(
            "上から 入力・U-Net cGAN+L1・Encoder-decoder・U-Net L1 のみ・正解",
            &all,
        ));
    })
}
