//! im2col / col2im: turning a convolution into one matrix product.
//!
//! Every output position `(n, oh, ow)` of a convolution reads one `C × k × k` patch of the
//! input. `im2col` ("image to columns") copies each patch into a column of a matrix
//! `col (C·k·k, N·OH·OW)`, so that the convolution is `W2 · col` with the weight viewed as
//! `W2 (C_out, C·k·k)` — one big GEMM. (ゼロから作るDeep Learning §7.4 stores the transpose,
//! one patch per row; columns let the copy loops run over contiguous pixels.) `col2im` is the
//! adjoint: it adds every column back onto the pixels the patch came from, which is the gradient
//! of `im2col`.
//!
//! The same two functions serve both convolutions: `Conv2d` forward = im2col, backward = col2im;
//! `ConvTranspose2d` forward = col2im, backward = im2col.

use super::{Float, NnError};
use ndarray::{Array1, Array2, Array4, ArrayRef2, ArrayRef4, Axis, CowArray, Ix2};

/// The sizes of one convolution `(C, H, W) → (C_out, OH, OW)` with a square kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Geometry {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub k: usize,
    pub stride: usize,
    pub pad: usize,
    pub oh: usize,
    pub ow: usize,
}

impl Geometry {
    /// `OH = (H + 2p − k) / s + 1` (floor), likewise `OW`; an error if the padded input is
    /// smaller than the kernel.
    pub fn new(
        layer: &'static str,
        (c, h, w): (usize, usize, usize),
        k: usize,
        stride: usize,
        pad: usize,
    ) -> Result<Self, NnError> {
        if k == 0 || stride == 0 {
            return Err(NnError::Zero {
                layer,
                what: "kernel size and stride",
            });
        }
        if h + 2 * pad < k || w + 2 * pad < k {
            return Err(NnError::InputTooSmall {
                layer,
                input: (h, w),
                kernel: (k, k),
                padding: pad,
            });
        }
        let oh = (h + 2 * pad - k) / stride + 1;
        let ow = (w + 2 * pad - k) / stride + 1;
        Ok(Self {
            c,
            h,
            w,
            k,
            stride,
            pad,
            oh,
            ow,
        })
    }

    /// Length of one patch row: `C · k · k`.
    pub fn patch_len(&self) -> usize {
        self.c * self.k * self.k
    }
}

/// Marks a tap that reads padding in a [`tap_map`]: far enough out of range that adding a
/// channel offset to it stays out of range (and cannot overflow).
const PAD: usize = usize::MAX / 2;

/// Patch-matrix entries a copy loop covers in one run (when the images are small enough): long
/// runs instead of one per image (four entries on DCGAN's 2×2 maps) for a bounded table.
const RUN: usize = 1024;

/// Images per run: `⌊RUN / (OH·OW)⌋`, at least 1 and at most the batch.
fn images_per_run(g: &Geometry, n: usize) -> usize {
    (RUN / (g.oh * g.ow).max(1)).clamp(1, n.max(1))
}

/// For every kernel tap `(ki, kj)` and every column `(n, oh, ow)` of the first `imgs` images'
/// part of a patch-matrix row, the input element the tap reads, as an offset
/// `n·C·H·W + ih·W + iw` from the run's first image **without** the channel's `c·H·W`, or
/// [`PAD`] where it reads padding: `ih = oh·s + ki − p`, `iw = ow·s + kj − p`. A
/// `(k·k, imgs·OH·OW)` table shared by all channels and runs, so each run is one loop of copies
/// without index arithmetic.
fn tap_map(g: &Geometry, imgs: usize) -> Vec<usize> {
    let inside = |o: usize, tap: usize, size: usize| {
        (o * g.stride + tap)
            .checked_sub(g.pad)
            .filter(|&i| i < size)
    };
    let image = g.c * g.h * g.w;
    let mut map = Vec::with_capacity(g.k * g.k * imgs * g.oh * g.ow);
    for ki in 0..g.k {
        for kj in 0..g.k {
            for img in 0..imgs {
                for oh in 0..g.oh {
                    for ow in 0..g.ow {
                        map.push(match (inside(oh, ki, g.h), inside(ow, kj, g.w)) {
                            (Some(ih), Some(iw)) => img * image + ih * g.w + iw,
                            _ => PAD,
                        });
                    }
                }
            }
        }
    }
    map
}

/// A layer's [`tap_map`], kept across steps and rebuilt only when the geometry or the run
/// length changes (building it per call cost a fifth as much as the copies it serves).
#[derive(Debug, Clone, Default)]
pub(crate) struct TapMap {
    key: Option<(Geometry, usize)>,
    map: Vec<usize>,
}

impl TapMap {
    /// The table for geometry `g` and `imgs` images per run.
    fn get(&mut self, g: &Geometry, imgs: usize) -> &[usize] {
        if self.key != Some((*g, imgs)) {
            self.map = tap_map(g, imgs);
            self.key = Some((*g, imgs));
        }
        &self.map
    }
}

/// `(N, C, H, W) -> (C·k·k, N·OH·OW)`: **column** `(n, oh, ow)` holds the patch under the
/// kernel at that output position (zeros where it hangs over the padding), row `(c, ki, kj)`
/// one kernel tap. Filled a row at a time, in runs of whole images (up to [`RUN`] entries), each
/// gathered from channel `c` through the tap's [`tap_map`].
///
/// Writes into `col`, reusing its memory when it already has the right size: a layer calls this
/// every step with the same shapes, and a fresh multi-megabyte buffer each time costs page faults.
pub(crate) fn im2col<A: Float>(
    x: &ArrayRef4<A>,
    g: &Geometry,
    col: &mut Array2<A>,
    maps: &mut TapMap,
) {
    let n = x.len_of(Axis(0));
    let x = x.as_standard_layout();
    let xs = x.as_slice().expect("standard layout");
    let (hw, cols, taps) = (g.h * g.w, n * g.oh * g.ow, g.k * g.k);
    let imgs = images_per_run(g, n);
    let run = imgs * g.oh * g.ow;
    let map = maps.get(g, imgs);
    // every entry is written below (padding taps with 0), so the stale contents may stay
    reshaped(col, (g.patch_len(), cols));
    let cs = col.as_slice_mut().expect("standard layout");
    for (r, dst_row) in cs.chunks_exact_mut(cols.max(1)).enumerate() {
        let (c, tap) = (r / taps, r % taps);
        let tap_map = &map[tap * run..][..run];
        for (j, dst) in dst_row.chunks_mut(run).enumerate() {
            let base = j * imgs * g.c * hw + c * hw;
            for (d, &m) in dst.iter_mut().zip(tap_map) {
                *d = xs.get(base + m).copied().unwrap_or_else(A::zero);
            }
        }
    }
}

/// Gives `buf` the shape `dim`, keeping its allocation (and stale contents) if it already fits:
/// for a GEMM output written with `β = 0`, which never reads it.
pub(crate) fn reshaped<A: Float>(buf: &mut Array2<A>, dim: (usize, usize)) {
    if buf.dim() != dim || !buf.is_standard_layout() {
        *buf = Array2::zeros(dim);
    }
}

/// A 4-D weight `(A, B, k, k)` viewed as the GEMM operand `(A, B·k·k)` (a copy only if the
/// caller replaced the weight by a strided array).
pub(crate) fn weight_matrix<A: Float>(w: &Array4<A>) -> CowArray<'_, A, Ix2> {
    let rows = w.len_of(Axis(0));
    w.to_shape((rows, w.len() / rows.max(1)))
        .expect("element count preserved")
}

/// A gradient `(A, B, k, k)` viewed mutably as `(A, B·k·k)`, so a GEMM can accumulate into it
/// (`β = 1`) without a temporary. Layers keep their gradients in standard layout (a gradient
/// replaced by a strided array is first copied into one).
pub(crate) fn weight_matrix_mut<A: Float>(
    dw: &mut Array4<A>,
    rows: usize,
) -> ndarray::ArrayViewMut2<'_, A> {
    if !dw.is_standard_layout() {
        *dw = dw.as_standard_layout().into_owned();
    }
    let cols = dw.len() / rows.max(1);
    dw.view_mut()
        .into_shape_with_order((rows, cols))
        .expect("standard layout")
}

/// The adjoint of [`im2col`]: `(C·k·k, N·OH·OW) -> (N, C, H, W)`, adding every patch entry
/// onto the input pixel it was copied from (entries over the padding are dropped), a run of a
/// patch-matrix row at a time through the same [`tap_map`].
pub(crate) fn col2im<A: Float>(
    col: &ArrayRef2<A>,
    n: usize,
    g: &Geometry,
    maps: &mut TapMap,
) -> Array4<A> {
    let col = col.as_standard_layout();
    let cs = col.as_slice().expect("standard layout");
    let (hw, cols, taps) = (g.h * g.w, n * g.oh * g.ow, g.k * g.k);
    let imgs = images_per_run(g, n);
    let run = imgs * g.oh * g.ow;
    let map = maps.get(g, imgs);
    let mut x = Array4::zeros((n, g.c, g.h, g.w));
    let xs = x.as_slice_mut().expect("fresh array");
    for (r, src_row) in cs.chunks_exact(cols.max(1)).enumerate() {
        let (c, tap) = (r / taps, r % taps);
        let tap_map = &map[tap * run..][..run];
        for (j, src) in src_row.chunks(run).enumerate() {
            let base = j * imgs * g.c * hw + c * hw;
            for (&v, &m) in src.iter().zip(tap_map) {
                if let Some(p) = xs.get_mut(base + m) {
                    *p += v;
                }
            }
        }
    }
    x
}

/// `dst.copy_from_slice(src)` for one `H·W` plane. Planes of 1, 4 and 16 entries (DCGAN's 1×1,
/// 2×2 and 4×4 maps) are copied by unrolled moves: a `memcpy` call per 16-byte plane cost more
/// than the copy.
///
/// # Panics
/// If the lengths differ.
#[inline(always)]
pub(crate) fn copy_plane<A: Copy>(dst: &mut [A], src: &[A]) {
    fn fixed<A: Copy, const N: usize>(dst: &mut [A], src: &[A]) {
        let d: &mut [A; N] = dst.try_into().expect("planes of one size");
        let s: &[A; N] = src.try_into().expect("planes of one size");
        *d = *s;
    }
    match dst.len() {
        1 => fixed::<A, 1>(dst, src),
        4 => fixed::<A, 4>(dst, src),
        16 => fixed::<A, 16>(dst, src),
        _ => dst.copy_from_slice(src),
    }
}

/// `(N, C, H, W) -> (C, N·H·W)`: row `c` holds channel `c` of every image, the layout of a
/// GEMM result `W2 · col`. Moves whole `H·W` planes.
#[cfg(test)]
pub(crate) fn nchw_to_cm<A: Float>(x: &ArrayRef4<A>) -> Array2<A> {
    let mut out = Array2::zeros((0, 0));
    nchw_to_cm_into(x, &mut out);
    out
}

/// [`nchw_to_cm`] into `out`, reusing its memory when it already has the shape `(C, N·H·W)`.
pub(crate) fn nchw_to_cm_into<A: Float>(x: &ArrayRef4<A>, out: &mut Array2<A>) {
    let (n, c, h, w) = x.dim();
    let hw = h * w;
    let x = x.as_standard_layout();
    // every entry is overwritten below
    reshaped(out, (c, n * hw));
    let os = out.as_slice_mut().expect("standard layout");
    let xs = x.as_slice().expect("standard layout");
    for (img, image) in xs.chunks_exact((c * hw).max(1)).enumerate() {
        for (ch, plane) in image.chunks_exact(hw.max(1)).enumerate() {
            copy_plane(&mut os[(ch * n + img) * hw..][..hw], plane);
        }
    }
}

/// `(C, N·H·W) -> (N, C, H, W)`, the inverse of [`nchw_to_cm`].
pub(crate) fn cm_to_nchw<A: Float>(a: &ArrayRef2<A>, n: usize, h: usize, w: usize) -> Array4<A> {
    let (c, hw) = (a.nrows(), h * w);
    let a = a.as_standard_layout();
    let src = a.as_slice().expect("standard layout");
    let mut out = Array4::zeros((n, c, h, w));
    let os = out.as_slice_mut().expect("fresh array");
    for (img, image) in os.chunks_exact_mut((c * hw).max(1)).enumerate() {
        for (ch, plane) in image.chunks_exact_mut(hw.max(1)).enumerate() {
            copy_plane(plane, &src[(ch * n + img) * hw..][..hw]);
        }
    }
    out
}

/// [`cm_to_nchw`] and then `y[n, c, h, w] += b[c]`, in one pass: a convolution's output.
pub(crate) fn cm_to_nchw_plus_bias<A: Float>(
    a: &ArrayRef2<A>,
    (n, h, w): (usize, usize, usize),
    b: &Array1<A>,
) -> Array4<A> {
    let (c, hw) = (a.nrows(), h * w);
    let a = a.as_standard_layout();
    let src = a.as_slice().expect("standard layout");
    let mut out = Vec::with_capacity(n * c * hw);
    for img in 0..n {
        for (ch, &bc) in b.iter().enumerate().take(c) {
            out.extend(src[(ch * n + img) * hw..][..hw].iter().map(|&v| v + bc));
        }
    }
    Array4::from_shape_vec((n, c, h, w), out).expect("element count preserved")
}

/// `y[n, c, h, w] += b[c]`, a contiguous `H·W` plane at a time (a strided per-channel view of
/// DCGAN's 2×2 maps would be iterated four elements at a time).
pub(crate) fn add_channel_bias<A: Float>(y: &mut Array4<A>, b: &Array1<A>) {
    let (c, hw) = (y.len_of(Axis(1)), y.len_of(Axis(2)) * y.len_of(Axis(3)));
    let Some(ys) = y.as_slice_mut() else {
        for (mut plane, &bc) in y.axis_iter_mut(Axis(1)).zip(b) {
            plane.mapv_inplace(|v| v + bc);
        }
        return;
    };
    // image by image, channel by channel: no division per plane to find its channel
    for image in ys.chunks_exact_mut((c * hw).max(1)) {
        for (plane, &bc) in image.chunks_exact_mut(hw.max(1)).zip(b) {
            plane.iter_mut().for_each(|v| *v += bc);
        }
    }
}

/// `Σ_{n,h,w} d[n, c, h, w]` for each channel: the bias gradient of a convolution.
pub(crate) fn channel_sums<A: Float>(d: &ArrayRef4<A>) -> Array1<A> {
    let (c, hw) = (d.len_of(Axis(1)), d.len_of(Axis(2)) * d.len_of(Axis(3)));
    let d = d.as_standard_layout();
    let mut sums = Array1::zeros(c);
    let ds = d.as_slice().expect("standard layout");
    for image in ds.chunks_exact((c * hw).max(1)) {
        for (plane, s) in image.chunks_exact(hw.max(1)).zip(sums.iter_mut()) {
            *s += plane.iter().copied().sum::<A>();
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;

    /// The straightforward im2col: every entry computes its input pixel and tests the padding.
    fn im2col_direct(x: &Array4<f64>, g: &Geometry) -> Array2<f64> {
        let n = x.len_of(Axis(0));
        Array2::from_shape_fn((g.patch_len(), n * g.oh * g.ow), |(r, col)| {
            let (c, ki, kj) = (r / (g.k * g.k), r / g.k % g.k, r % g.k);
            let (img, oh, ow) = (col / (g.oh * g.ow), col / g.ow % g.oh, col % g.ow);
            let ih = (oh * g.stride + ki).checked_sub(g.pad).filter(|&i| i < g.h);
            let iw = (ow * g.stride + kj).checked_sub(g.pad).filter(|&i| i < g.w);
            match (ih, iw) {
                (Some(ih), Some(iw)) => x[[img, c, ih, iw]],
                _ => 0.0,
            }
        })
    }

    /// The straightforward col2im: entries added one by one in row order onto their pixels.
    fn col2im_direct(col: &Array2<f64>, n: usize, g: &Geometry) -> Array4<f64> {
        let mut x = Array4::zeros((n, g.c, g.h, g.w));
        for ((r, cl), &v) in col.indexed_iter() {
            let (c, ki, kj) = (r / (g.k * g.k), r / g.k % g.k, r % g.k);
            let (img, oh, ow) = (cl / (g.oh * g.ow), cl / g.ow % g.oh, cl % g.ow);
            let ih = (oh * g.stride + ki).checked_sub(g.pad).filter(|&i| i < g.h);
            let iw = (ow * g.stride + kj).checked_sub(g.pad).filter(|&i| i < g.w);
            if let (Some(ih), Some(iw)) = (ih, iw) {
                x[[img, c, ih, iw]] += v;
            }
        }
        x
    }

    /// The table-driven copies equal the straightforward loops exactly (same sums in the same
    /// order), on DCGAN's, pix2pix's and CAM's shapes and odd ones; a layer's cached table
    /// serves a second call and a smaller batch.
    #[test]
    fn table_copies_equal_the_direct_loops() {
        for (c, h, w, k, s, p) in [
            (3, 4, 4, 4, 2, 1),
            (2, 2, 2, 4, 2, 1),
            (2, 8, 8, 4, 2, 1),
            (2, 5, 7, 3, 1, 1),
            (1, 7, 6, 3, 2, 0),
            (2, 3, 3, 1, 1, 0),
            (1, 6, 5, 5, 3, 2),
            (2, 20, 24, 3, 1, 1), // 480 outputs per image: runs of 2 images, the last one short
        ] {
            let g = Geometry::new("test", (c, h, w), k, s, p).unwrap();
            let x = Array::from_shape_fn((3, c, h, w), |(a, b, i, j)| {
                ((a * 7 + b * 5 + i * 3 + j) % 11) as f64 / 3.0 - 1.7
            });
            let mut maps = TapMap::default();
            for imgs in [3, 3, 1] {
                let x = x.slice(ndarray::s![..imgs, .., .., ..]).to_owned();
                let mut col = Array2::zeros((0, 0));
                im2col(&x, &g, &mut col, &mut maps);
                assert_eq!(col, im2col_direct(&x, &g), "im2col {g:?} N = {imgs}");
            }
            let col = Array::from_shape_fn((g.patch_len(), 3 * g.oh * g.ow), |(i, j)| {
                ((i * 13 + j * 7) % 17) as f64 / 7.0 - 1.1
            });
            assert_eq!(
                col2im(&col, 3, &g, &mut maps),
                col2im_direct(&col, 3, &g),
                "col2im {g:?}"
            );
        }
    }

    fn to_col(x: &Array4<f64>, g: &Geometry) -> Array2<f64> {
        let mut col = Array2::zeros((0, 0));
        im2col(x, g, &mut col, &mut TapMap::default());
        col
    }

    /// col2im is the adjoint of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for any x, c.
    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        for (h, w, k, s, p) in [
            (5, 4, 3, 1, 1),
            (7, 6, 3, 2, 0),
            (4, 4, 4, 2, 1),
            (3, 3, 1, 1, 0),
        ] {
            let g = Geometry::new("test", (2, h, w), k, s, p).unwrap();
            let x = Array::from_shape_fn((2, 2, h, w), |(a, b, c, d)| {
                ((a * 7 + b * 5 + c * 3 + d) % 11) as f64 - 5.0
            });
            let col = to_col(&x, &g);
            let c = Array::from_shape_fn(col.dim(), |(i, j)| ((i * 13 + j * 7) % 17) as f64 - 8.0);
            let lhs = (&col * &c).sum();
            let rhs = (&x * &col2im(&c, 2, &g, &mut TapMap::default())).sum();
            assert_eq!(lhs, rhs, "h{h} w{w} k{k} s{s} p{p}");
        }
    }

    #[test]
    fn channel_bias_is_added_to_every_plane_of_its_channel() {
        let mut y = Array::from_shape_fn((2, 3, 2, 2), |(a, b, c, d)| (a + b + c + d) as f64);
        let b = Array1::from(vec![10.0, 20.0, 30.0]);
        let expected = Array::from_shape_fn(y.dim(), |(a, ch, c, d)| y[[a, ch, c, d]] + b[ch]);
        add_channel_bias(&mut y, &b);
        assert_eq!(y, expected);
        // a strided array takes the per-channel view path
        let mut t = expected.clone().permuted_axes([0, 1, 3, 2]);
        add_channel_bias(&mut t, &b);
        let twice = Array::from_shape_fn(y.dim(), |(a, ch, c, d)| y[[a, ch, d, c]] + b[ch]);
        assert_eq!(t, twice);
    }

    #[test]
    fn channel_major_with_bias_is_the_copy_plus_the_bias() {
        let a = Array::from_shape_fn((3, 8), |(i, j)| (i * 8 + j) as f64 / 3.0);
        let b = Array1::from(vec![0.5, -1.0, 2.25]);
        let mut expected = cm_to_nchw(&a, 2, 2, 2);
        add_channel_bias(&mut expected, &b);
        assert_eq!(cm_to_nchw_plus_bias(&a, (2, 2, 2), &b), expected);
    }

    #[test]
    fn channel_major_round_trip() {
        let x = Array::from_shape_fn((2, 3, 2, 2), |(a, b, c, d)| {
            (a * 100 + b * 10 + c * 2 + d) as f64
        });
        let cm = nchw_to_cm(&x);
        assert_eq!(
            cm.row(1).to_vec(),
            vec![10.0, 11.0, 12.0, 13.0, 110.0, 111.0, 112.0, 113.0]
        );
        assert_eq!(cm_to_nchw(&cm, 2, 2, 2), x);
    }

    #[test]
    fn im2col_columns_are_patches() {
        // x[i, j] = 4i + j on a 3×4 image; k2 s1 p0 gives 2×3 outputs, so col is (4, 6)
        let x = Array::from_shape_fn((1, 1, 3, 4), |(_, _, i, j)| (i * 4 + j) as f64);
        let g = Geometry::new("test", (1, 3, 4), 2, 1, 0).unwrap();
        let col = to_col(&x, &g);
        assert_eq!(col.dim(), (4, 6));
        // output (1, 1) = column 4 reads x[1..3, 1..3]
        assert_eq!(col.column(4).to_vec(), vec![5.0, 6.0, 9.0, 10.0]);
        // k3 s2 p1 on a 3×3 image: output (1, 1) hangs over the bottom-right padding
        let x = Array::from_shape_fn((1, 1, 3, 3), |(_, _, i, j)| (i * 3 + j) as f64);
        let g = Geometry::new("test", (1, 3, 3), 3, 2, 1).unwrap();
        assert_eq!(
            to_col(&x, &g).column(3).to_vec(),
            vec![4.0, 5.0, 0.0, 7.0, 8.0, 0.0, 0.0, 0.0, 0.0]
        );
        assert!(Geometry::new("test", (1, 2, 2), 5, 1, 1).is_err());
    }

    #[test]
    fn buffers_are_reused_when_the_shape_fits() {
        let x = Array::from_shape_fn((2, 2, 4, 4), |(a, b, c, d)| (a + b + c * d) as f64);
        let g = Geometry::new("test", (2, 4, 4), 3, 1, 1).unwrap();
        let mut col = Array2::zeros((0, 0));
        im2col(&x, &g, &mut col, &mut TapMap::default());
        let first = col.clone();
        let ptr = col.as_ptr();
        col.fill(7.0); // stale contents must not leak into the next call
        im2col(&x, &g, &mut col, &mut TapMap::default());
        assert_eq!(col, first);
        assert_eq!(col.as_ptr(), ptr);
    }
}
