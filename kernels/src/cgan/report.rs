//! What the `cgan` kernel records in its trace (kept apart from the training loop).

use super::{Config, PER_CLASS};
use crate::KernelError;
use crate::data::digits::CLASSES;
use crate::generative::{d_histogram, sample_grid};
use crate::judge::score;
use crate::nn::activation::sigmoid;
use crate::trace::{Table, Trace};
use ndarray::{Array1, Array2, Array4};

pub(super) fn condition(tr: &mut Trace, cfg: &Config) -> Result<(), KernelError> {
    let z = cfg.z_dim;
    tr.step("condition", |s| {
        s.text(
            "CGAN (Mirza & Osindero 2014) は、生成したいデータの条件 y (ここでは数字のラベル) を G と D の両方に新しい入力として加える。\
             ネットワークの骨組みは GAN (ここでは DCGAN) のまま。G には one-hot ベクトルを z の後ろにつなげて渡し、\
             D には画像と同じ 8×8 の「ラベル面」を 10 枚重ねて渡す (y 番目の面だけ全部 1)。\
             D は (画像, ラベル) の組が本物かどうかを判定するので、上手な 3 でも「7」と組になっていれば偽物と見破られる。",
        );
        s.table(Table {
            name: "入力の形 (1 サンプル分)".into(),
            columns: ["ネットワーク", "入力", "形"].map(String::from).to_vec(),
            rows: vec![
                vec!["G".into(), "[z, onehot(y)]".into(), format!("({}, 1, 1) = {z} + 10 チャネル", z + CLASSES)],
                vec!["D".into(), "[画像 x, ラベル面 ×10]".into(), "(11, 8, 8) = 1 + 10 チャネル".into()],
            ].into(),
        });
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
        s.text(
            "本物の組 (x, y) はデータのラベルそのまま、偽物の組 (G(z|y), y) の y は 0〜9 から一様に選ぶ。\
             D は本物の組に 1、偽物の組に 0 と答えるように学習する。",
        );
        s.tensor("D(x | y): 本物の組", &real_logits.mapv(sigmoid));
        s.tensor("D(G(z | y) | y): 偽物の組", &fake_logits.mapv(sigmoid));
        s.scalar("loss_D", f64::from(loss_d));
    })?;
    let asked: Vec<String> = fake_y.iter().take(8).map(|y| y.to_string()).collect();
    tr.step("g_update", |s| {
        s.text(format!(
            "G は −log D(G(z|y) | y) を下げる。D の入力のうち画像のチャネルに届いた勾配だけが G に戻る \
             (ラベル面は定数なので学習しない)。下の 8 枚に頼んだ数字: {}。学習前なのでまだノイズ。",
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
            vec![
                y.to_string(),
                format!("{:.0}", 100.0 * hits as f64 / PER_CLASS as f64),
                wrong,
            ]
        })
        .collect();
    // how sure the judge is that each sample is the requested digit, in five bins
    let mut conf = [0usize; 5];
    for (i, &y) in requested.iter().enumerate() {
        conf[((p[[i, y]] * 5.0) as usize).min(4)] += 1;
    }
    tr.step("evaluation", |s| {
        s.text(format!(
            "各数字を {PER_CLASS} 枚ずつ生成し、判定器が頼んだとおりの数字と読んだ割合 (label agreement) を数える。\
             classifier score は同じ 1000 枚で計算する。"
        ));
        s.table(Table {
            name: "指定した数字ごとの一致率".into(),
            columns: ["指定", "一致 %", "いちばん多い読み違い"].map(String::from).to_vec(),
            rows,
        });
        s.table(Table {
            name: "判定器の p(指定した数字 | x) の分布".into(),
            columns: ["p(y|x)", "枚数"].map(String::from).to_vec(),
            rows: conf
                .iter()
                .enumerate()
                .map(|(b, &k)| vec![format!("{:.1}–{:.1}", b as f32 / 5.0, (b + 1) as f32 / 5.0), k.to_string()])
                .collect(),
        });
        s.scalar("label_agreement", agreement);
        s.scalar("classifier_score", cs);
    })
}
