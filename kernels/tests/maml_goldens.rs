//! MAML against JAX float64 goldens (`tools/peers/gen_maml.py`): the second-order and
//! first-order meta-gradients, the support losses and the per-task Hessian-vector products of a
//! fixed small network, in f64, within 1e-4 relative error
//! (`max|ours − jax| / max(max|jax|, tiny)` per parameter tensor).

use eshikaku_kernels::maml::engine::{Engine, Job};
use eshikaku_kernels::maml::meta::maml_gradient;
use eshikaku_kernels::maml::net::{Theta, hvp, loss_and_grad};
use eshikaku_kernels::maml::sine::TaskBatch;
use eshikaku_kernels::nn::gradcheck::rel_error;
use ndarray::{Array2, Array3, ArrayD, IxDyn};
use serde_json::Value;

const TOL: f64 = 1e-4;
/// The same comparison for the f32 engine: f32 rounding (about 1e-7 relative per operation,
/// accumulated over sums of 40 terms and two chained gradients) stays well under it.
const TOL_F32: f64 = 1e-3;
const NAMES: [&str; 6] = ["w1", "b1", "w2", "b2", "w3", "b3"];

fn cases() -> Vec<Value> {
    let text = include_str!("goldens/maml.json");
    let v: Value = serde_json::from_str(text).expect("valid JSON");
    v["cases"].as_array().expect("cases").clone()
}

fn tensor(t: &Value) -> ArrayD<f64> {
    let shape: Vec<usize> = t["shape"]
        .as_array()
        .expect("shape")
        .iter()
        .map(|v| v.as_u64().expect("dim") as usize)
        .collect();
    let data: Vec<f64> = t["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect();
    ArrayD::from_shape_vec(IxDyn(&shape), data).expect("shape matches data")
}

fn matrix(t: &Value) -> Array2<f64> {
    tensor(t).into_dimensionality().expect("2-D")
}

/// JAX parameters (without a task axis) as a one-task `Theta`.
fn theta(p: &Value, hidden: usize) -> Theta<f64> {
    let get = |k: &str| tensor(&p[k]).into_raw_vec_and_offset().0;
    Theta {
        w1: Array3::from_shape_vec((1, 1, hidden), get("w1")).expect("w1"),
        b1: Array2::from_shape_vec((1, hidden), get("b1")).expect("b1"),
        w2: Array3::from_shape_vec((1, hidden, hidden), get("w2")).expect("w2"),
        b2: Array2::from_shape_vec((1, hidden), get("b2")).expect("b2"),
        w3: Array3::from_shape_vec((1, hidden, 1), get("w3")).expect("w3"),
        b3: Array2::from_shape_vec((1, 1), get("b3")).expect("b3"),
    }
}

fn batch(c: &Value) -> TaskBatch<f64> {
    let d = &c["data"];
    let x_support = matrix(&d["x_support"]);
    TaskBatch {
        tasks: Vec::new(),
        x_support,
        y_support: matrix(&d["y_support"]),
        x_query: matrix(&d["x_query"]),
        y_query: matrix(&d["y_query"]),
    }
}

/// Relative error of each of our six tensors against the golden dict `want` (same flat order).
fn errors(ours: &Theta<f64>, want: &Value) -> Vec<(String, f64)> {
    ours.parts()
        .iter()
        .zip(NAMES)
        .map(|(p, k)| {
            let got: Vec<f64> = p.iter().copied().collect();
            let w = tensor(&want[k]).into_raw_vec_and_offset().0;
            (k.to_string(), rel_error(&got, &w))
        })
        .collect()
}

fn assert_close(what: &str, case: &str, errs: &[(String, f64)]) -> f64 {
    let worst = errs.iter().map(|e| e.1).fold(0.0, f64::max);
    assert!(worst < TOL, "{case} {what}: {errs:?}");
    worst
}

#[test]
fn meta_gradients_match_jax() {
    let mut worst = 0.0f64;
    for c in cases() {
        let name = c["name"].as_str().expect("name");
        let hidden = c["config"]["hidden"].as_u64().expect("hidden") as usize;
        let alpha = c["config"]["inner_lr"].as_f64().expect("inner_lr");
        let th = theta(&c["params"], hidden);
        let b = batch(&c);

        let second = maml_gradient(&th, &b, alpha, true);
        let first = maml_gradient(&th, &b, alpha, false);
        let meta_loss = c["meta_loss"].as_f64().expect("meta_loss");
        assert!(
            (second.loss_after - meta_loss).abs() <= TOL * meta_loss.abs(),
            "{name}: meta-loss {} vs {meta_loss}",
            second.loss_after
        );
        worst = worst.max(assert_close(
            "second-order",
            name,
            &errors(&second.grad, &c["grads"]["second_order"]),
        ));
        worst = worst.max(assert_close(
            "first-order",
            name,
            &errors(&first.grad, &c["grads"]["first_order"]),
        ));
        // The two differ by the Hessian term, by more than the tolerance: the test can tell
        // them apart.
        let gap = errors(&first.grad, &c["grads"]["second_order"]);
        assert!(
            gap.iter().any(|e| e.1 > 10.0 * TOL),
            "{name}: first- and second-order gradients are indistinguishable: {gap:?}"
        );
    }
    eprintln!("worst meta-gradient relative error: {worst:e}");
}

/// The engine that training runs (`maml::engine`, f32, fused per-task code) against the same
/// float64 goldens, within the f32 tolerance [`TOL_F32`].
#[test]
fn engine_meta_gradients_match_jax() {
    let mut worst = 0.0f64;
    for c in cases() {
        let name = c["name"].as_str().expect("name");
        let hidden = c["config"]["hidden"].as_u64().expect("hidden") as usize;
        let alpha = c["config"]["inner_lr"].as_f64().expect("inner_lr");
        let th = to_f32(&theta(&c["params"], hidden));
        let b = batch(&c);
        let b = TaskBatch {
            tasks: Vec::new(),
            x_support: b.x_support.mapv(|v| v as f32),
            y_support: b.y_support.mapv(|v| v as f32),
            x_query: b.x_query.mapv(|v| v as f32),
            y_query: b.y_query.mapv(|v| v as f32),
        };
        for (second_order, key) in [(true, "second_order"), (false, "first_order")] {
            let job = Job::Maml {
                inner_lr: alpha as f32,
                second_order,
            };
            let step = Engine::with_threads(2).step(job, &th, &b);
            let errs = errors(&to_f64(&step.grad), &c["grads"][key]);
            let case_worst = errs.iter().map(|e| e.1).fold(0.0, f64::max);
            assert!(case_worst < TOL_F32, "{name} engine {key}: {errs:?}");
            worst = worst.max(case_worst);
        }
    }
    eprintln!("worst engine meta-gradient relative error (f32): {worst:e}");
}

fn to_f32(t: &Theta<f64>) -> Theta<f32> {
    Theta {
        w1: t.w1.mapv(|v| v as f32),
        b1: t.b1.mapv(|v| v as f32),
        w2: t.w2.mapv(|v| v as f32),
        b2: t.b2.mapv(|v| v as f32),
        w3: t.w3.mapv(|v| v as f32),
        b3: t.b3.mapv(|v| v as f32),
    }
}

fn to_f64(t: &Theta<f32>) -> Theta<f64> {
    Theta {
        w1: t.w1.mapv(f64::from),
        b1: t.b1.mapv(f64::from),
        w2: t.w2.mapv(f64::from),
        b2: t.b2.mapv(f64::from),
        w3: t.w3.mapv(f64::from),
        b3: t.b3.mapv(f64::from),
    }
}

#[test]
fn support_losses_and_hessian_vector_products_match_jax() {
    for c in cases() {
        let name = c["name"].as_str().expect("name");
        let hidden = c["config"]["hidden"].as_u64().expect("hidden") as usize;
        let alpha = c["config"]["inner_lr"].as_f64().expect("inner_lr");
        let th = theta(&c["params"], hidden);
        let b = batch(&c);
        let (loss_s, grad_s) = loss_and_grad(&th, &b.x_support, &b.y_support);
        let want: Vec<f64> = c["support_loss"]
            .as_array()
            .expect("support_loss")
            .iter()
            .map(|v| v.as_f64().expect("number"))
            .collect();
        assert!(
            rel_error(loss_s.as_slice().expect("contiguous"), &want) < TOL,
            "{name}: support losses {loss_s} vs {want:?}"
        );
        let adapted = th.add_scaled(-alpha, &grad_s);
        let (_, v) = loss_and_grad(&adapted, &b.x_query, &b.y_query);
        let h_v = hvp(&th, &b.x_support, &b.y_support, &v);
        let worst = assert_close("hvp", name, &errors(&h_v, &c["hvp"]));
        eprintln!("{name}: worst Hessian-vector product relative error {worst:e}");
    }
}

/// The Hessian-vector product against central finite differences of the gradient,
/// `(∇L(θ + h v) − ∇L(θ − h v)) / 2h`, on random data (no peer needed).
#[test]
fn hessian_vector_product_matches_finite_differences() {
    use ndarray_rand::rand::SeedableRng;
    let mut rng = ndarray_rand::rand::rngs::StdRng::seed_from_u64(11);
    let th = Theta::<f64>::init(7, &mut rng);
    let b = TaskBatch::<f64>::sample(3, 6, 6, &mut rng);
    let (_, v) = loss_and_grad(&th.broadcast(3), &b.x_query, &b.y_query); // some direction per task
    let h = 1e-5;
    let (_, gp) = loss_and_grad(&th.add_scaled(h, &v), &b.x_support, &b.y_support);
    let (_, gm) = loss_and_grad(&th.add_scaled(-h, &v), &b.x_support, &b.y_support);
    let numeric = gp.add_scaled(-1.0, &gm);
    let numeric: Vec<f64> = numeric.flat().iter().map(|d| d / (2.0 * h)).collect();
    let exact = hvp(&th, &b.x_support, &b.y_support, &v).flat();
    let err = rel_error(&exact, &numeric);
    assert!(err < 1e-6, "relative error {err}");
    // Reptile with one unclipped inner step moves θ by exactly β times the mean support gradient.
    let step = eshikaku_kernels::maml::meta::reptile_direction(&th, &b, 0.02, 1, 1e9);
    let (_, g) = loss_and_grad(&th, &b.x_support, &b.y_support);
    let want: Vec<f64> = g
        .mean_over_tasks()
        .flat()
        .iter()
        .map(|v| 0.02 * v)
        .collect();
    assert!(rel_error(&step.grad.flat(), &want) < 1e-12);
}
