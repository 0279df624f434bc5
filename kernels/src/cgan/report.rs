//! What the `cgan` kernel records in its trace (kept apart from the training loop).

use super::{Config, PER_CLASS};
use crate::KernelError;
use crate::data::digits::{CLASSES, SIDE};
use crate::generative::{d_histogram, sample_grid};
use crate::judge::{Judge, score};
use crate::nn::activation::sigmoid;
use crate::trace::{Cell, Table, Trace};
use ndarray::{Array1, Array2, Array4};

pub(super) fn condition(tr: &mut Trace, cfg: &Config) -> Result<(), KernelError> {
    let z = cfg.z_dim;
    tr.step("condition", |s| {
        let (g_in, d_in) = (z + CLASSES, 1 + CLASSES);
        let rows = [
            (
                "G",
                "[z, onehot(y)]".to_string(),
                format!("({g_in}, 1, 1) = {z} + {CLASSES} チャネル"),
            ),
            (
                "D",
                format!("[画像 x, ラベル面 ×{CLASSES}]"),
                format!("({d_in}, {SIDE}, {SIDE}) = 1 + {CLASSES} チャネル"),
            ),
        ];
        s.table(
            Table::new("入力の形 (1 サンプル分)", ["ネットワーク", "入力", "形"])
                .rows(rows, |(net, input, shape)| {
                    [Cell::from(net), input.into(), shape.into()]
                }),
        );
    })
}

pub(super) fn first_iteration(
    tr: &mut Trace,
    loss_d: f32,
    loss_g: f32,
    real_logits: &Array1<f32>,
    fake_logits: &Array1<f32>,
    fake: &Array4<f32>,
    fake_y: &[usize],
) -> Result<(), KernelError> {
    tr.step("d_update", |s| {
        s.tensor("D(x | y): 本物の組", &real_logits.mapv(sigmoid));
        s.tensor("D(G(z | y) | y): 偽物の組", &fake_logits.mapv(sigmoid));
        s.scalar("loss_D", f64::from(loss_d));
    })?;
    let asked: Vec<String> = fake_y.iter().take(8).map(|y| y.to_string()).collect();
    tr.step("g_update", |s| {
        s.text(format!(
            "下の学習前の G(z | y) に頼んだ数字: {}。",
            asked.join(", ")
        ));
        s.scalar("loss_G", f64::from(loss_g));
        // At most 8 samples: a batch may be smaller (batch_size ≥ 4).
        let shown = fake.shape()[0].min(8);
        s.image(sample_grid(
            "学習前の G(z | y)",
            &fake.slice(ndarray::s![..shown, .., .., ..]),
            8,
        ));
    })
}

pub(super) fn progress(
    tr: &mut Trace,
    it: usize,
    [loss_d, loss_g]: [f32; 2],
    (real_logits, fake_logits): (&Array1<f32>, &Array1<f32>),
    grid: &Array4<f32>,
) -> Result<(), KernelError> {
    let x = it as f64;
    tr.step("progress", |s| {
        s.series("loss_D", x, f64::from(loss_d));
        s.series("loss_G", x, f64::from(loss_g));
        s.image(sample_grid(
            &format!("反復 {it}: 行 = 指定した数字 0〜9、列 = 同じノイズ z"),
            grid,
            8,
        ));
        s.histogram(d_histogram(
            &format!("反復 {it}: D の出力の分布 (本物の組と偽物の組)"),
            real_logits.as_slice().unwrap_or(&[]),
            fake_logits.as_slice().unwrap_or(&[]),
        ));
    })
}

pub(super) fn evaluation(
    tr: &mut Trace,
    judge: &Judge,
    p: &Array2<f32>,
    requested: &[usize],
    agreement: f64,
    cs: f64,
) -> Result<(), KernelError> {
    let pred = score::argmax_rows(p);
    let mut confusion = [[0usize; CLASSES]; CLASSES];
    for (&want, &got) in requested.iter().zip(&pred) {
        confusion[want][got] += 1;
    }
    let rows = (0..CLASSES)
        .map(|y| {
            let hits = confusion[y][y];
            let wrong = (0..CLASSES)
                .filter(|&k| k != y)
                .max_by_key(|&k| confusion[y][k])
                .filter(|&k| confusion[y][k] > 0)
                .map_or("—".to_string(), |k| {
                    format!("{k} ({} 枚)", confusion[y][k])
                });
            (y, 100.0 * hits as f64 / PER_CLASS as f64, wrong)
        })
        .collect::<Vec<_>>();
    // how sure the judge is that each sample is the requested digit, in five bins
    let mut conf = [0usize; 5];
    for (i, &y) in requested.iter().enumerate() {
        conf[((p[[i, y]] * 5.0) as usize).min(4)] += 1;
    }
    tr.step("evaluation", |s| {
        s.scalar("数字ごとに生成した枚数", PER_CLASS as f64);
        let columns = ["指定", "一致 %", "いちばん多い読み違い"];
        s.table(
            Table::new("指定した数字ごとの一致率", columns).rows(rows, |(y, pct, wrong)| {
                [Cell::from(y), pct.into(), wrong.into()]
            }),
        );
        let bin = |b: usize| format!("{:.1}–{:.1}", b as f32 / 5.0, (b + 1) as f32 / 5.0);
        s.table(
            Table::new("判定器の p(指定した数字 | x) の分布", ["p(y|x)", "枚数"])
                .rows(conf.iter().enumerate(), |(b, &k)| {
                    [Cell::from(bin(b)), k.into()]
                }),
        );
        crate::dcgan::report::judge_accuracy(s, judge);
        s.scalar("label_agreement", agreement);
        s.scalar("classifier_score", cs);
    })
}
