//! Synthetic 16×16 images for the `cam` kernel: one of three shapes at a random place, noise,
//! and a bright distractor blob that is *not* the object.
//!
//! - Classes: 0 filled square, 1 ring, 2 plus sign; side `s ∈ {4, 5, 6}` px, intensity 1.
//! - A 2×2 blob of intensity [`BLOB`] with at least 2 background pixels between it and the
//!   object's box, so "the brightest pixel" usually points at the blob, not the object.
//! - Gaussian noise `σ` on every pixel.
//!
//! Because the object's box is known, an explanation can be scored: the *pointing game*
//! (Zhang et al. 2016) counts a hit when a map's maximum lies within 1 px of the box.

use ndarray::Array4;
use ndarray_rand::rand::Rng;
use ndarray_rand::rand_distr::{Distribution, Normal};

/// Image side in pixels.
pub const SIDE: usize = 16;
/// Number of classes.
pub const CLASSES: usize = 3;
/// Class names, in label order.
pub const NAMES: [&str; CLASSES] = ["正方形 (square)", "リング (ring)", "十字 (plus)"];
/// Intensity of the distractor blob (the object's is 1).
pub const BLOB: f32 = 1.5;

/// An inclusive pixel box `rows r0..=r1`, `cols c0..=c1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BBox {
    pub r0: usize,
    pub c0: usize,
    pub r1: usize,
    pub c1: usize,
}

impl BBox {
    /// Whether pixel `(r, c)` is within `margin` px of the box (Chebyshev distance).
    pub fn near(&self, r: usize, c: usize, margin: usize) -> bool {
        r + margin >= self.r0
            && r <= self.r1 + margin
            && c + margin >= self.c0
            && c <= self.c1 + margin
    }

    /// Number of background pixels between two boxes along the more separated axis.
    pub fn gap(&self, o: &BBox) -> usize {
        let rows =
            o.r0.saturating_sub(self.r1 + 1)
                .max(self.r0.saturating_sub(o.r1 + 1));
        let cols =
            o.c0.saturating_sub(self.c1 + 1)
                .max(self.c0.saturating_sub(o.c1 + 1));
        rows.max(cols)
    }
}

/// A labelled set of images with the object's box.
///
/// # Shapes
/// `images`: `(N, 1, 16, 16)`; `labels`, `boxes`: `N`
#[derive(Debug, Clone)]
pub struct ShapeSet {
    pub images: Array4<f32>,
    pub labels: Vec<usize>,
    pub boxes: Vec<BBox>,
}

/// Whether pixel `(i, j)` of an `s × s` box belongs to shape `class`.
pub fn shape_pixel(class: usize, s: usize, i: usize, j: usize) -> bool {
    let c = (s as f32 - 1.0) / 2.0;
    let (di, dj) = (i as f32 - c, j as f32 - c);
    match class {
        0 => true,
        // a ring of radius (s − 1)/2, half a pixel thick on each side
        1 => ((di * di + dj * dj).sqrt() - c).abs() <= 0.5,
        // the middle row(s) and column(s): one wide for odd s, two for even s
        _ => di.abs() <= 0.5 || dj.abs() <= 0.5,
    }
}

/// A random 2×2 blob with at least 2 background pixels between it and `object`.
fn place_blob<R: Rng + ?Sized>(object: &BBox, rng: &mut R) -> BBox {
    loop {
        let (br, bc) = (rng.random_range(0..SIDE - 1), rng.random_range(0..SIDE - 1));
        let b = BBox {
            r0: br,
            c0: bc,
            r1: br + 1,
            c1: bc + 1,
        };
        if b.gap(object) >= 2 {
            return b;
        }
    }
}

/// `n` images with uniformly drawn class, size and position, one distractor blob, noise `sigma`.
///
/// # Panics
/// If `sigma` is negative or not finite (the caller validates knobs).
pub fn generate<R: Rng + ?Sized>(n: usize, sigma: f32, rng: &mut R) -> ShapeSet {
    let noise = Normal::new(0.0f32, sigma).expect("sigma is a validated knob");
    let mut images = Array4::zeros((n, 1, SIDE, SIDE));
    let (mut labels, mut boxes) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for k in 0..n {
        let class = rng.random_range(0..CLASSES);
        let s = rng.random_range(4..=6);
        let (r0, c0) = (
            rng.random_range(0..=SIDE - s),
            rng.random_range(0..=SIDE - s),
        );
        let bbox = BBox {
            r0,
            c0,
            r1: r0 + s - 1,
            c1: c0 + s - 1,
        };
        let mut img = images.slice_mut(ndarray::s![k, 0, .., ..]);
        for i in 0..s {
            for j in 0..s {
                if shape_pixel(class, s, i, j) {
                    img[[r0 + i, c0 + j]] = 1.0;
                }
            }
        }
        let b = place_blob(&bbox, rng);
        img.slice_mut(ndarray::s![b.r0..=b.r1, b.c0..=b.c1])
            .fill(BLOB);
        img.mapv_inplace(|v| v + noise.sample(rng));
        labels.push(class);
        boxes.push(bbox);
    }
    ShapeSet {
        images,
        labels,
        boxes,
    }
}

/// Row-major index of the maximum of a 2-D map (the first one on ties).
pub fn argmax2(map: &ndarray::ArrayRef2<f32>) -> (usize, usize) {
    let mut best = ((0, 0), f32::NEG_INFINITY);
    for ((r, c), &v) in map.indexed_iter() {
        if v > best.1 {
            best = ((r, c), v);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray_rand::rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn shapes_have_the_expected_pixel_counts() {
        let count = |class, s| {
            (0..s)
                .flat_map(|i| (0..s).map(move |j| (i, j)))
                .filter(|&(i, j)| shape_pixel(class, s, i, j))
                .count()
        };
        assert_eq!(
            [count(0, 5), count(1, 4), count(2, 5), count(2, 4)],
            [25, 8, 9, 12]
        );
        assert!(!shape_pixel(1, 5, 2, 2), "a ring is hollow");
    }

    #[test]
    fn blob_keeps_its_distance_and_labels_are_balanced() {
        let set = generate(600, 0.0, &mut StdRng::seed_from_u64(0));
        for (k, b) in set.boxes.iter().enumerate() {
            let img = set.images.slice(ndarray::s![k, 0, .., ..]);
            // without noise the blob is the only pixel brighter than 1, and it is far from the box
            for ((r, c), &v) in img.indexed_iter() {
                if v > 1.0 {
                    assert!(
                        !b.near(r, c, 2),
                        "image {k}: blob at ({r}, {c}) too close to {b:?}"
                    );
                }
            }
        }
        for class in 0..CLASSES {
            let m = set.labels.iter().filter(|&&l| l == class).count();
            assert!((150..250).contains(&m), "class {class}: {m}");
        }
    }
}
