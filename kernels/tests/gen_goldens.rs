//! The generative kernels' networks and measures against JAX (float64) goldens written by
//! `tools/peers/gen_generative.py`: one DCGAN / CGAN iteration's gradients, one pix2pix
//! iteration's gradients (U-Net + PatchGAN), bilinear upsampling, the classifier score, class
//! coverage and sharpness. The networks run here in f64, so the tolerances are tight.

use eshikaku_kernels::cgan::{with_label, with_label_planes};
use eshikaku_kernels::dcgan::nets::{Discriminator, Generator};
use eshikaku_kernels::judge::score;
use eshikaku_kernels::nn::Params;
use eshikaku_kernels::nn::loss::{bce_with_logits, l1};
use eshikaku_kernels::pix2pix::data::{sharpness, upsample_bilinear};
use eshikaku_kernels::pix2pix::patchgan::PatchGan;
use eshikaku_kernels::pix2pix::unet::UNet;
use ndarray::{Array1, Array2, Array4, ArrayD, Axis, IxDyn, concatenate, s};
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use serde_json::Value;

/// Relative tolerance of f64 fingerprints (sums over thousands of terms).
const TOL: f64 = 1e-9;
/// Absolute floor: a bias just before a BatchNorm has a gradient of exactly 0 in theory, which
/// both sides compute as rounding noise of about 1e-16.
const FLOOR: f64 = 1e-12;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/goldens/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("golden file")).expect("json")
}

fn tensor(v: &Value) -> ArrayD<f64> {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .expect("shape")
        .iter()
        .map(|d| d.as_u64().expect("dim") as usize)
        .collect();
    let data: Vec<f64> = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect();
    ArrayD::from_shape_vec(IxDyn(&shape), data).expect("consistent tensor")
}

fn t4(v: &Value) -> Array4<f64> {
    tensor(v).into_dimensionality().expect("4-D")
}

/// Sets parameter tensor k (visit order) to `a · sin(1.3 i + 0.7 k) + b`, as the generator does.
fn set_params<M: Params<f64>>(model: &mut M, specs: &Value) {
    let specs = specs.as_array().expect("specs");
    let mut k = 0;
    model.visit_params(&mut |p, _| {
        let spec = &specs[k];
        let len: u64 = spec["shape"]
            .as_array()
            .expect("shape")
            .iter()
            .map(|d| d.as_u64().expect("dim"))
            .product();
        assert_eq!(p.len() as u64, len, "parameter {k} has another size");
        let (a, b) = (
            spec["a"].as_f64().expect("a"),
            spec["b"].as_f64().expect("b"),
        );
        for (i, v) in p.iter_mut().enumerate() {
            *v = a * (1.3 * i as f64 + 0.7 * k as f64).sin() + b;
        }
        k += 1;
    });
    assert_eq!(k, specs.len(), "parameter count");
}

/// Checks a flat array against a `{norm, weighted, head}` fingerprint; returns the largest
/// error relative to the reference norm (reported with `--nocapture`).
fn check_fingerprint(what: &str, got: &[f64], want: &Value) -> f64 {
    let norm = got.iter().map(|v| v * v).sum::<f64>().sqrt();
    let weighted: f64 = got
        .iter()
        .enumerate()
        .map(|(i, v)| v * (0.37 * i as f64 + 1.0).sin())
        .sum();
    let want_norm = want["norm"].as_f64().expect("norm");
    let tol = TOL * want_norm + FLOOR;
    assert!(
        (norm - want_norm).abs() < tol,
        "{what}: norm {norm} vs {want_norm}"
    );
    let want_w = want["weighted"].as_f64().expect("weighted");
    assert!(
        (weighted - want_w).abs() < tol,
        "{what}: weighted {weighted} vs {want_w}"
    );
    for (i, h) in want["head"].as_array().expect("head").iter().enumerate() {
        let h = h.as_f64().expect("number");
        assert!(
            (got[i] - h).abs() < tol,
            "{what}: head[{i}] {} vs {h}",
            got[i]
        );
    }
    let head_err = want["head"]
        .as_array()
        .expect("head")
        .iter()
        .enumerate()
        .map(|(i, h)| (got[i] - h.as_f64().unwrap_or(0.0)).abs())
        .fold(0.0, f64::max);
    (norm - want_norm)
        .abs()
        .max((weighted - want_w).abs())
        .max(head_err)
        / want_norm.max(FLOOR)
}

/// Checks every parameter gradient; returns the largest relative error among those whose
/// reference is not (theoretically) zero.
fn check_grads<M: Params<f64>>(what: &str, model: &mut M, want: &Value) -> f64 {
    let want = want.as_array().expect("grads");
    let (mut k, mut worst) = (0, 0.0f64);
    model.visit_params(&mut |_, g| {
        let err = check_fingerprint(&format!("{what} grad {k}"), g, &want[k]);
        if want[k]["norm"].as_f64().unwrap_or(0.0) > 1e-9 {
            worst = worst.max(err);
        }
        k += 1;
    });
    assert_eq!(k, want.len());
    eprintln!("{what}: max relative gradient error {worst:.2e}");
    worst
}

#[test]
fn dcgan_and_cgan_iteration_gradients_match_jax() {
    let doc = load("gen_dcgan.json");
    for case in doc["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let labels: Option<Vec<usize>> = case["labels"].as_array().map(|l| {
            l.iter()
                .map(|v| v.as_u64().expect("label") as usize)
                .collect()
        });
        let z: Array2<f64> = tensor(&case["z"]).into_dimensionality().expect("2-D");
        let real = t4(&case["real"]);
        let n = z.nrows();
        let mut rng = StdRng::seed_from_u64(0);
        let extra = if labels.is_some() { 10 } else { 0 };
        let mut g = Generator::<f64>::new(z.ncols() + extra, &mut rng).expect("G");
        let mut d = Discriminator::<f64>::new(1 + extra, &mut rng).expect("D");
        set_params(&mut g, &case["g_params"]);
        set_params(&mut d, &case["d_params"]);
        // G's input [z, onehot(y)] in f64; the kernel's f32 helper must build the same thing
        let cond_z = |z: &Array2<f64>| match &labels {
            Some(l) => {
                let onehot =
                    Array2::from_shape_fn((l.len(), 10), |(i, c)| f64::from(u8::from(l[i] == c)));
                let zc = concatenate(Axis(1), &[z.view(), onehot.view()]).expect("same N");
                assert_eq!(with_label(&z.mapv(|v| v as f32), l), zc.mapv(|v| v as f32));
                zc
            }
            None => z.clone(),
        };
        let cond_x = |x: &Array4<f64>| match &labels {
            Some(l) => {
                let planes =
                    with_label_planes(&Array4::<f32>::zeros(x.raw_dim()), l).mapv(f64::from);
                concatenate(Axis(1), &[x.view(), planes.slice(s![.., 1.., .., ..])])
                    .expect("same N, H, W")
            }
            None => x.clone(),
        };
        let fake = g.forward(&cond_z(&z));
        check_fingerprint(
            &format!("{name} G(z)"),
            fake.as_slice().expect("standard"),
            &case["fake"],
        );
        // D: real batch → 1, fake batch → 0, as two BatchNorm batches
        let (ones, zeros) = (Array1::<f64>::ones(n), Array1::<f64>::zeros(n));
        d.zero_grad();
        let (lr, gr) = bce_with_logits(&d.forward(&cond_x(&real)), &ones);
        d.backward(&gr);
        let (lf, gf) = bce_with_logits(&d.forward(&cond_x(&fake)), &zeros);
        d.backward(&gf);
        assert!(
            (lr + lf - case["loss_d"].as_f64().expect("loss")).abs() < 1e-12,
            "{name} loss_d"
        );
        check_grads(&format!("{name} D"), &mut d, &case["d_grads"]);
        // G: −log D(G(z)) through D; only the image channel flows back into G
        g.zero_grad();
        let (lg, gg) = bce_with_logits(&d.forward(&cond_x(&fake)), &ones);
        let dx = d.backward(&gg);
        g.backward(&dx.slice(s![.., 0..1, .., ..]));
        assert!(
            (lg - case["loss_g"].as_f64().expect("loss")).abs() < 1e-12,
            "{name} loss_g"
        );
        check_grads(&format!("{name} G"), &mut g, &case["g_grads"]);
    }
}

#[test]
fn pix2pix_iteration_gradients_match_jax() {
    let doc = load("gen_pix2pix.json");
    let case = &doc["cases"][0];
    let (x, y) = (t4(&case["x"]), t4(&case["y"]));
    let lambda = case["lambda_l1"].as_f64().expect("lambda");
    let mut rng = StdRng::seed_from_u64(0);
    let mut g = UNet::<f64>::new(true, &mut rng).expect("U-Net");
    let mut d = PatchGan::<f64>::new(&mut rng).expect("PatchGAN");
    set_params(&mut g, &case["g_params"]);
    set_params(&mut d, &case["d_params"]);
    let pair = |a: &Array4<f64>, b: &Array4<f64>| {
        concatenate(Axis(1), &[a.view(), b.view()]).expect("pair")
    };
    let fake = g.forward(&x);
    check_fingerprint(
        "U-Net G(x)",
        fake.as_slice().expect("standard"),
        &case["fake"],
    );
    let patches = (x.len_of(Axis(0)), 1, 4, 4);
    let (ones, zeros) = (Array4::<f64>::ones(patches), Array4::<f64>::zeros(patches));
    d.zero_grad();
    let (lr, gr) = bce_with_logits(&d.forward(&pair(&x, &y)), &ones);
    d.backward(&(gr * 0.5));
    let (lf, gf) = bce_with_logits(&d.forward(&pair(&x, &fake)), &zeros);
    d.backward(&(gf * 0.5));
    assert!((0.5 * (lr + lf) - case["loss_d"].as_f64().expect("loss")).abs() < 1e-12);
    check_grads("PatchGAN", &mut d, &case["d_grads"]);
    g.zero_grad();
    let (la, ga) = bce_with_logits(&d.forward(&pair(&x, &fake)), &ones);
    let mut dfake = d.backward(&ga).slice(s![.., 1..2, .., ..]).to_owned();
    let (ll1, gl1) = l1(&fake, &y);
    dfake.scaled_add(lambda, &gl1);
    g.backward(&dfake);
    assert!((la + lambda * ll1 - case["loss_g"].as_f64().expect("loss")).abs() < 1e-10);
    check_grads("U-Net", &mut g, &case["g_grads"]);
    let mut enc_dec = UNet::<f64>::new(false, &mut rng).expect("encoder-decoder");
    set_params(&mut enc_dec, &case["enc_dec_params"]);
    let out = enc_dec.forward(&x);
    check_fingerprint(
        "encoder-decoder G(x)",
        out.as_slice().expect("standard"),
        &case["enc_dec_fake"],
    );
}

#[test]
fn upsampling_scores_and_sharpness_match_numpy_and_jax() {
    let doc = load("gen_image.json");
    let input = t4(&doc["upsample"]["input"]).mapv(|v| v as f32);
    let want = t4(&doc["upsample"]["output"]);
    let got = upsample_bilinear(&input, 2);
    let err = got
        .iter()
        .zip(&want)
        .map(|(&a, &b)| (f64::from(a) - b).abs())
        .fold(0.0, f64::max);
    assert!(err < 1e-6, "bilinear upsampling max error {err}");
    eprintln!("bilinear upsampling: max abs error {err:.2e}");
    for case in doc["scores"].as_array().expect("scores") {
        let name = case["name"].as_str().expect("name");
        let p: Array2<f32> = tensor(&case["p"])
            .mapv(|v| v as f32)
            .into_dimensionality()
            .expect("2-D");
        let cs = score::classifier_score(&p);
        let want = case["score"].as_f64().expect("score");
        assert!(
            (cs - want).abs() / want < 1e-5,
            "{name}: score {cs} vs {want}"
        );
        eprintln!(
            "classifier score {name}: relative error {:.2e}",
            (cs - want).abs() / want
        );
        assert_eq!(
            score::class_coverage(&p, 0.03) as u64,
            case["coverage_3pct"].as_u64().expect("coverage"),
            "{name}"
        );
    }
    let imgs = t4(&doc["sharpness"]["images"]).mapv(|v| v as f32);
    for (rows, key) in [(0..8, "full"), (4..8, "bottom")] {
        let want = doc["sharpness"][key].as_f64().expect("sharpness");
        let got = sharpness(&imgs, rows);
        assert!(
            (got - want).abs() / want < 1e-6,
            "sharpness {key}: {got} vs {want}"
        );
        eprintln!(
            "sharpness {key}: relative error {:.2e}",
            (got - want).abs() / want
        );
    }
}
