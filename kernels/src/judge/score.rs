//! Scores of a set of generated images, computed from the judge's class probabilities.
//!
//! All functions take `p (N, K)`: row `n` is the judge's `p(y|x_n)` for generated image `x_n`.

use ndarray::{Array1, ArrayRef2, Axis};

/// The classifier score, the Inception Score of Salimans et al. (2016, §4) with our judge in
/// place of the Inception network:
///
/// `CS = exp( E_x KL( p(y|x) ‖ p(y) ) )`,  with the marginal `p(y) = E_x p(y|x)`
/// estimated by the mean over the `N` samples.
///
/// It is high when each image is classified confidently (`p(y|x)` peaked: recognisable digits)
/// **and** the images spread over the classes (`p(y)` flat: no mode collapse). Its range is
/// `[1, K]`: 1 if every image gets the same distribution, `K = 10` if the images are confidently
/// and evenly spread over all ten digits. `0 · ln 0` counts as 0.
///
/// # Shapes
/// `p`: `(N, K)`, rows summing to 1
pub fn classifier_score(p: &ArrayRef2<f32>) -> f64 {
    let n = p.nrows();
    if n == 0 {
        return 1.0;
    }
    // quiz:begin classifier-score
    let p_y: Array1<f64> = p.mapv(f64::from).mean_axis(Axis(0)).unwrap_or_default(); // (K,)
    let mean_kl = p
        .rows()
        .into_iter()
        .map(|row| {
            row.iter()
                .zip(&p_y)
                .filter(|&(&pyx, _)| pyx > 0.0)
                .map(|(&pyx, &py)| f64::from(pyx) * (f64::from(pyx) / py).ln())
                .sum::<f64>()
        })
        .sum::<f64>()
        / n as f64;
    mean_kl.exp()
    // quiz:end classifier-score
}

/// The index of the largest value of each row.
pub fn argmax_rows(p: &ArrayRef2<f32>) -> Vec<usize> {
    p.rows()
        .into_iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
                    if v > bv { (i, v) } else { (bi, bv) }
                })
                .0
        })
        .collect()
}

/// How many images the judge assigns to each class (by arg-max).
pub fn class_counts(p: &ArrayRef2<f32>) -> Vec<usize> {
    let mut counts = vec![0; p.ncols()];
    for c in argmax_rows(p) {
        counts[c] += 1;
    }
    counts
}

/// The number of classes that receive at least `min_share` of the images (by the judge's
/// arg-max): 10 when every digit is generated, fewer under mode collapse.
pub fn class_coverage(p: &ArrayRef2<f32>, min_share: f64) -> usize {
    let n = p.nrows().max(1) as f64;
    class_counts(p)
        .into_iter()
        .filter(|&c| c as f64 / n >= min_share)
        .count()
}

/// The fraction of images whose judged class equals the class that was asked for (CGAN).
pub fn label_agreement(p: &ArrayRef2<f32>, requested: &[usize]) -> f64 {
    let pred = argmax_rows(p);
    let hits = pred.iter().zip(requested).filter(|(a, b)| a == b).count();
    hits as f64 / pred.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    #[test]
    fn score_is_one_for_identical_rows_and_k_for_confident_even_spread() {
        let same = Array2::from_elem((6, 3), 1.0 / 3.0);
        assert!((classifier_score(&same) - 1.0).abs() < 1e-9);
        let collapsed = array![[0.0f32, 1.0, 0.0], [0.0, 1.0, 0.0]];
        assert!((classifier_score(&collapsed) - 1.0).abs() < 1e-9);
        let spread = Array2::from_shape_fn((30, 3), |(i, j)| if i % 3 == j { 1.0 } else { 0.0 });
        assert!((classifier_score(&spread) - 3.0).abs() < 1e-6);
    }

    #[test]
    fn coverage_counts_classes_over_the_share() {
        let p = Array2::from_shape_fn((100, 4), |(i, j)| {
            // 60 images of class 0, 38 of class 1, 2 of class 2, none of class 3
            let c = if i < 60 {
                0
            } else if i < 98 {
                1
            } else {
                2
            };
            if c == j { 0.9 } else { 0.1 / 3.0 }
        });
        assert_eq!(class_counts(&p), vec![60, 38, 2, 0]);
        assert_eq!(class_coverage(&p, 0.03), 2);
        assert_eq!(class_coverage(&p, 0.02), 3);
        assert!((label_agreement(&p, &vec![0; 100]) - 0.6).abs() < 1e-12);
    }
}
