//! The UCI 8×8 handwritten digits (1,797 images, CC BY 4.0), embedded with `include_bytes!`.
//!
//! Pixels are scaled from 0..=16 to `[0, 1]`. The train/test split is fixed and stratified:
//! within each class, every fifth image (in file order) is a test image — 1,442 train and 355
//! test images, with all ten classes in the same proportions in both.

use ndarray::{Array2, ArrayView2, Axis};

static RAW: &[u8] = include_bytes!("../../data/digits.bin");

const MAGIC: &[u8] = b"DIGITS1\n";
const RECORD: usize = 41;
/// Pixels per image (8 × 8).
pub const PIXELS: usize = 64;
/// Side of an image.
pub const SIDE: usize = 8;
/// Number of classes.
pub const CLASSES: usize = 10;

/// Images and labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Digits {
    /// `(n, 64)`, row-major 8×8 images with values in `[0, 1]`.
    pub images: Array2<f32>,
    /// `n` labels in `0..10`.
    pub labels: Vec<u8>,
}

impl Digits {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Image `i` as an 8×8 view.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn image(&self, i: usize) -> ArrayView2<'_, f32> {
        self.images
            .row(i)
            .into_shape_with_order((SIDE, SIDE))
            .expect("a row of 64 pixels is 8×8")
    }

    /// The images and labels at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Digits {
        Digits {
            images: self.images.select(Axis(0), indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// The fixed stratified 80/20 split: `(train, test)` index lists.
    pub fn split_indices(&self) -> (Vec<usize>, Vec<usize>) {
        let mut seen = [0usize; CLASSES];
        let (mut train, mut test) = (Vec::new(), Vec::new());
        for (i, &label) in self.labels.iter().enumerate() {
            let k = &mut seen[usize::from(label)];
            if *k % 5 == 4 {
                test.push(i)
            } else {
                train.push(i)
            }
            *k += 1;
        }
        (train, test)
    }

    /// `(train, test)` sets of the fixed split.
    pub fn split(&self) -> (Digits, Digits) {
        let (train, test) = self.split_indices();
        (self.select(&train), self.select(&test))
    }
}

/// Decodes the embedded file. The file is part of the binary, so a decoding failure is a build
/// error caught by this module's tests, not something a user can cause.
pub fn load() -> Digits {
    decode(RAW).expect("embedded digits.bin is valid (checked by tests)")
}

fn decode(raw: &[u8]) -> Option<Digits> {
    let body = raw.strip_prefix(MAGIC)?;
    let count = usize::from(u16::from_le_bytes([*body.first()?, *body.get(1)?]));
    let records = body.get(2..)?;
    if records.len() != count * RECORD {
        return None;
    }
    let mut images = Array2::<f32>::zeros((count, PIXELS));
    let mut labels = Vec::with_capacity(count);
    for (i, rec) in records.chunks_exact(RECORD).enumerate() {
        labels.push(rec[0]);
        // 64 pixels × 5 bits, least-significant bit first.
        let mut bits = [0u8; 48];
        bits[..40].copy_from_slice(&rec[1..]);
        for p in 0..PIXELS {
            let bit = 5 * p;
            let word = u16::from_le_bytes([bits[bit / 8], bits[bit / 8 + 1]]);
            let v = (word >> (bit % 8)) & 0x1f;
            images[[i, p]] = f32::from(v) / 16.0;
        }
    }
    Some(Digits { images, labels })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_scikit_learn_digits() {
        let d = load();
        assert_eq!(d.len(), 1797);
        let mut counts = [0usize; CLASSES];
        for &l in &d.labels {
            counts[usize::from(l)] += 1;
        }
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        // First image and the total, as scikit-learn's load_digits() gives them.
        let first: Vec<u32> = d.images.row(0).iter().map(|&v| (v * 16.0) as u32).collect();
        assert_eq!(
            &first[..16],
            &[0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]
        );
        let total: f64 = d.images.iter().map(|&v| f64::from(v) * 16.0).sum();
        assert_eq!(total, 561_718.0);
        assert_eq!(&d.labels[1792..], &[9, 0, 8, 9, 8]);
        assert!(d.images.iter().all(|&v| (0.0..=1.0).contains(&v)));
    }

    #[test]
    fn split_is_stratified_80_20_and_disjoint() {
        let d = load();
        let (train, test) = d.split_indices();
        assert_eq!(train.len() + test.len(), 1797);
        assert_eq!(test.len(), 355);
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 1797);
        let (_, te) = d.split();
        for c in 0..CLASSES as u8 {
            let n = te.labels.iter().filter(|&&l| l == c).count();
            assert!((34..=37).contains(&n), "class {c}: {n} test images");
        }
    }

    #[test]
    fn corrupt_data_is_rejected() {
        assert!(decode(b"nope").is_none());
        assert!(decode(&RAW[..RAW.len() - 1]).is_none());
    }
}
