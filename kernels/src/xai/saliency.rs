//! Where does the CNN look? Class activation maps, Grad-CAM and Integrated Gradients for the
//! [`GapCnn`], plus the pointing game that scores a map against the object's box.
//!
//! - **CAM** (Zhou et al. 2016, §2, eq. 2): with GAP followed by a linear layer,
//!   `y^c = Σ_k w_k^c (1/Z) Σ_{i,j} A_k(i,j) = (1/Z) Σ_{i,j} M_c(i,j)`, where
//!   `M_c(i,j) = Σ_k w_k^c A_k(i,j)`: the output layer's class weights projected onto the last
//!   feature maps. `M_c(i,j)` is how much location `(i,j)` contributes to class `c`.
//! - **Grad-CAM** (Selvaraju et al. 2017, §3, eqs. 1–2): `α_k^c = (1/Z) Σ_{i,j} ∂y^c/∂A_k(i,j)`
//!   (global-average-pooled gradients), `L^c = ReLU(Σ_k α_k^c A_k)`. It needs only gradients, so
//!   it works for any architecture and any differentiable output. Here `∂y^c/∂A_k(i,j) = w_k^c/Z`,
//!   so `α_k^c = w_k^c / Z` and `L^c = ReLU(M_c)/Z`: Grad-CAM generalises CAM (§3.1).
//! - **Integrated Gradients** (Sundararajan et al. 2017, §3, eq. 1):
//!   `IG_i(x) = (x_i − x'_i) ∫₀¹ ∂F(x' + α(x − x'))/∂x_i dα`, here with baseline `x' = 0` and the
//!   midpoint rule `α_k = (k − ½)/m`, `k = 1..m`. Completeness (Prop. 1): `Σ_i IG_i = F(x) − F(x')`.

use super::gap_cnn::GapCnn;
use super::shapes::{BBox, argmax2};
use ndarray::{Array2, Array3, Array4, ArrayRef2, ArrayRef4, Axis, s};

/// One-hot rows `(N, classes)` selecting `classes[n]` — `dy^c/dy` for a backward pass.
fn one_hot(classes: &[usize], n_classes: usize) -> Array2<f32> {
    let mut d = Array2::zeros((classes.len(), n_classes));
    for (n, &c) in classes.iter().enumerate() {
        d[[n, c]] = 1.0;
    }
    d
}

/// CAM `M_c(i,j) = Σ_k w_k^c A_k(i,j)` for each image's class `classes[n]`.
///
/// # Shapes
/// `features` `A`: `(N, K, h, w)`; `fc_w`: `(K, classes)`; result `(N, h, w)`
// quiz:begin cam
pub fn cam(features: &ArrayRef4<f32>, fc_w: &ArrayRef2<f32>, classes: &[usize]) -> Array3<f32> {
    let (n, k, h, w) = features.dim();
    let mut maps = Array3::zeros((n, h, w));
    for (img, &c) in classes.iter().enumerate() {
        let mut m = maps.index_axis_mut(Axis(0), img);
        for ch in 0..k {
            m.scaled_add(fc_w[[ch, c]], &features.slice(s![img, ch, .., ..])); // += w_k^c · A_k
        }
    }
    maps
}
// quiz:end cam

/// Grad-CAM `ReLU(Σ_k α_k^c A_k)` with `α_k^c` the spatial mean of `∂y^c/∂A_k`, computed by a
/// real backward pass from the class score. Returns the maps and the weights `α`.
///
/// # Shapes
/// `x`: `(N, 1, H, W)`; maps `(N, h, w)`; `α`: `(N, K)`
pub fn grad_cam(
    net: &mut GapCnn,
    x: &ArrayRef4<f32>,
    classes: &[usize],
) -> (Array3<f32>, Array2<f32>) {
    let logits = net.forward(x);
    let grads = net.backward_to_features(&one_hot(classes, logits.ncols())); // ∂y^c/∂A  (N, K, h, w)
    let a = &net.features;
    let (n, k, h, w) = a.dim();
    let mut maps = Array3::zeros((n, h, w));
    let mut alphas = Array2::zeros((n, k));
    // quiz:begin grad-cam
    for img in 0..n {
        let mut m = maps.index_axis_mut(Axis(0), img);
        for ch in 0..k {
            let alpha = grads.slice(s![img, ch, .., ..]).mean().unwrap_or(0.0); // α_k^c
            alphas[[img, ch]] = alpha;
            m.scaled_add(alpha, &a.slice(s![img, ch, .., ..]));
        }
        m.mapv_inplace(|v| v.max(0.0)); // ReLU: keep what raises the class score
    }
    // quiz:end grad-cam
    (maps, alphas)
}

/// Integrated Gradients of logit `target` for one image `x (1, H, W)` with baseline 0 and
/// `steps` midpoint-rule samples, as one batch. Returns `(IG (H, W), F(x), F(0))`.
pub fn integrated_gradients(
    net: &mut GapCnn,
    x: &ndarray::ArrayRef3<f32>,
    target: usize,
    steps: usize,
) -> (Array2<f32>, f32, f32) {
    let (_, h, w) = x.dim();
    let m = steps.max(1);
    // quiz:begin ig
    let mut path = Array4::zeros((m, 1, h, w));
    for k in 0..m {
        let alpha = (k as f32 + 0.5) / m as f32; // α of the k-th point on the path
        path.slice_mut(s![k, .., .., ..]).assign(&(x * alpha)); // x' + α(x − x'), x' = 0
    }
    let logits = net.forward(&path);
    let grads = net.backward(&one_hot(&vec![target; m], logits.ncols())); // ∂F/∂x at each α
    let avg = grads.mean_axis(Axis(0)).expect("m ≥ 1"); // ≈ ∫₀¹ ∂F/∂x dα   (1, H, W)
    let ig = &avg.index_axis(Axis(0), 0) * &x.index_axis(Axis(0), 0); // (x − x') ⊙ mean gradient
    // quiz:end ig
    let mut ends = Array4::zeros((2, 1, h, w));
    ends.slice_mut(s![0, .., .., ..]).assign(x);
    let f = net.forward(&ends);
    (ig, f[[0, target]], f[[1, target]])
}

/// Bilinear upsampling of a `(h, w)` map to `(out_h, out_w)` with half-pixel centres
/// (`align_corners = False`, as PyTorch's and JAX's default resize).
pub fn upsample_bilinear(map: &ArrayRef2<f32>, out_h: usize, out_w: usize) -> Array2<f32> {
    let (h, w) = map.dim();
    let src = |o: usize, n_in: usize, n_out: usize| -> (usize, usize, f32) {
        let p = ((o as f32 + 0.5) * n_in as f32 / n_out as f32 - 0.5).clamp(0.0, (n_in - 1) as f32);
        let lo = p.floor() as usize;
        (lo, (lo + 1).min(n_in - 1), p - lo as f32)
    };
    Array2::from_shape_fn((out_h, out_w), |(r, c)| {
        let (r0, r1, fr) = src(r, h, out_h);
        let (c0, c1, fc) = src(c, w, out_w);
        let top = map[[r0, c0]] * (1.0 - fc) + map[[r0, c1]] * fc;
        let bottom = map[[r1, c0]] * (1.0 - fc) + map[[r1, c1]] * fc;
        top * (1.0 - fr) + bottom * fr
    })
}

/// `map / max(map)`, or the map unchanged if its maximum is not positive.
pub fn normalise_max(map: &ArrayRef2<f32>) -> Array2<f32> {
    let m = map.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    if m > 0.0 { map / m } else { map.to_owned() }
}

/// The pointing game: is the map's maximum within 1 px of the object's box?
pub fn pointing_hit(map: &ArrayRef2<f32>, bbox: &BBox) -> bool {
    let (r, c) = argmax2(map);
    bbox.near(r, c, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn upsampling_a_constant_and_a_ramp() {
        let up = upsample_bilinear(&array![[2.0f32, 2.0], [2.0, 2.0]], 4, 4);
        assert!(up.iter().all(|&v| (v - 2.0).abs() < 1e-6));
        let ramp = upsample_bilinear(&array![[0.0f32, 1.0]], 1, 4);
        assert_eq!(ramp.row(0).to_vec(), vec![0.0, 0.25, 0.75, 1.0]);
    }

    #[test]
    fn cam_is_the_weighted_sum_of_feature_maps() {
        let a = Array4::from_shape_fn((1, 2, 2, 2), |(_, k, i, j)| (k * 4 + i * 2 + j) as f32);
        let w = array![[1.0f32, 0.5], [-1.0, 2.0]];
        let m = cam(&a, &w, &[1]);
        // 0.5·A_0 + 2·A_1 at (1, 1): 0.5·3 + 2·7 = 15.5
        assert_eq!(m[[0, 1, 1]], 15.5);
    }
}
