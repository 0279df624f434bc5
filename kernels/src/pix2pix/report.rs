//! What the `pix2pix` kernel records in its trace (kept apart from the training loop).

use super::patchgan::{NDF, PATCHES};
use super::unet::NGF;
use super::{Config, Pairs, Trained, Variant};
use crate::KernelError;
use crate::generative::{mean_prob, sample_grid};
use crate::nn::activation::sigmoid;
use crate::trace::{Image, Palette, Table, Trace, fmt_num};
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

pub(super) fn task(tr: &mut Trace, test: &Pairs, real_accuracy: f64) -> Result<(), KernelError> {
    tr.step("task", |s| {
        s.text(
            "pix2pix は、条件としてラベルではなく画像を使う CGAN。条件画像 x を受け取り、何らかの変換を施した画像 y を出力する、\
             つまり画像の変換方法を学習する。学習データは (x, 正解の y) のペア。ここでは 8×8 の数字を双線形補間 (bilinear) で \
             16×16 に拡大したものを y とし、その下半分を隠した (灰色で塗った) ものを x とする。上半分から残りを描き足す課題。",
        );
        s.image(rows_grid("上: 入力 x (下半分を隠した)、下: 正解 y", &[&test.x, &test.y]));
        s.scalar("判定器の正解率 (正解 y を 8×8 に縮小)", real_accuracy);
        s.scalar("テストのペア数", test.x.len_of(Axis(0)) as f64);
    })
}

pub(super) fn architecture(tr: &mut Trace, cfg: &Config) -> Result<(), KernelError> {
    tr.step("architecture", |s| {
        s.text(format!(
            "G は U-Net: 畳み込みで 16×16 → 8 → 4 → 2 → 1 と縮め、転置畳み込みで 1 → 16 に戻す encoder-decoder に、\
             同じ大きさの encoder の特徴マップを decoder へチャネル方向に連結するスキップ接続 (skip connection) を加えたもの。\
             入力と出力で共通する低レベルの情報 (ここでは上半分の形、物体の位置) が、1×1 のボトルネックを通らずに直接伝わる。\
             D は PatchGAN: 画像全体ではなく 10×10 画素のパッチごとに本物らしさを判定し、4×4 = 16 個の判定の平均を損失にする。\
             D には (x, y) の組を 2 チャネルとして入れる。G の損失は L_cGAN + λ·L_L1 (λ = {})。",
            fmt_num(cfg.lambda_l1)
        ));
        s.table(Table {
            name: "ネットワーク (ngf = ndf = 8)".into(),
            columns: ["部分", "層", "出力の形"].map(String::from).to_vec(),
            rows: vec![
                vec!["G encoder".into(), "Conv k4 s2 p1 ×4 (BN, LeakyReLU)".into(), format!("({NGF},8,8) → ({},4,4) → ({},2,2) → ({},1,1)", 2 * NGF, 4 * NGF, 8 * NGF)],
                vec!["G decoder".into(), "ConvT k4 s2 p1 ×4 (BN, ReLU; 最後は tanh)".into(), "(32,2,2) → (16,4,4) → (8,8,8) → (1,16,16)".into()],
                vec!["スキップ接続".into(), "encoder の出力を decoder の入力に連結".into(), "チャネル数が 2 倍".into()],
                vec!["D (PatchGAN)".into(), "Conv k4 s2 ×2 + 1×1 Conv".into(), format!("(2,16,16) → ({NDF},8,8) → ({},4,4) → (1,4,4)", 2 * NDF)],
            ].into(),
        });
        s.text(
            "論文が言う役割分担: L1 (L2 より) ぼやけが少なく、画像の低周波成分 (全体の配置) を正しくとらえる。\
             PatchGAN は残りの高周波成分 (局所的なくっきりした構造) だけをパッチごとにモデル化する。",
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
        s.text(
            "D は (x, 正解 y) の組の 16 個のパッチすべてに 1、(x, G(x)) の組のパッチに 0 と答えるよう学習する。\
             論文にならい D の損失は 2 で割り、G より遅く学ばせる。下の 4×4 の図は、バッチ平均の「本物らしさ」をパッチごとに描いたもの。",
        );
        s.image(patch_map("D(x, y): 本物の組のパッチ", real_logits));
        s.image(patch_map("D(x, G(x)): 生成した組のパッチ", fake_logits));
        s.scalar("loss_D", f64::from(loss_d));
        s.scalar("バッチの大きさ", x.len_of(Axis(0)) as f64);
    })?;
    tr.step("g_update", |s| {
        s.text(
            "G の損失は、D をだます項 −log D(x, G(x)) (パッチの平均) と、正解との L1 距離の λ 倍の和。\
             D を通って戻る勾配のうち、y のチャネルに届いた分だけが G への勾配になる (x のチャネルは入力そのもの)。",
        );
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

pub(super) fn ablation(
    tr: &mut Trace,
    results: &[Trained],
    test: &Pairs,
    real_accuracy: f64,
) -> Result<(), KernelError> {
    let f = |v: f64| format!("{v:.4}");
    let rows = results
        .iter()
        .map(|r| {
            vec![
                r.variant.name().to_string(),
                f(r.test_l1),
                f(r.fcn_accuracy),
                f(r.fcn_accuracy / real_accuracy.max(1e-9)),
                f(r.sharpness),
                f(r.sharpness_bottom),
            ]
        })
        .collect();
    let outs: Vec<&Array4<f32>> = results.iter().map(|r| &r.outputs).collect();
    tr.step("ablation", |s| {
        s.text(
            "3 つのモデルを同じテストの入力で比べる (論文の表 1・2 と同じ考え方)。スキップ接続を外した encoder-decoder は、\
             上半分をそのまま写すことすら 1×1 のボトルネック経由になり、L1 誤差が大きい。L1 だけの U-Net は平均的な答えに寄るので\
             ぼやけやすく、cGAN の項を足すと局所的なくっきりさ (sharpness: 2×2 平均プーリング後の勾配の大きさ) が増す方向に働く。",
        );
        s.table(Table {
            name: "テスト 355 枚での比較".into(),
            columns: ["モデル", "L1 誤差", "判定器の正解率", "正解率の比 (÷ 本物)", "sharpness", "sharpness (下半分)"]
                .map(String::from)
                .to_vec(),
            rows,
        });
        let mut all = vec![&test.x];
        all.extend(outs.iter().copied());
        all.push(&test.y);
        s.image(rows_grid(
            "上から 入力・U-Net cGAN+L1・Encoder-decoder・U-Net L1 のみ・正解",
            &all,
        ));
    })
}
