//! Convolution on maps so small that most of every patch hangs over the padding.
//!
//! On DCGAN's 2×2 maps (`k = 4, s = 2, p = 1` from a 4×4 input) each output position reads
//! only a 3×3 window of its 4×4 taps inside the image. The patch matrix that
//! [`im2col`](super::im2col) builds is 7/16 padding there, and its one product multiplies all
//! of it. Here every output position `q = (i, j)` gets its own product over only the taps
//! `T_q` that read inside the input:
//!
//! `y[:, :, i, j] = X_q · W_qᵀ`   `(N, C·|T_q|)·(C·|T_q|, C_out) → (N, C_out)`
//!
//! with one patch per **row** (as in ゼロから作るDeep Learning §7.4),
//! `X_q[n, (c, u, v)] = x[n, c, s·i + u − p, s·j + v − p]`, and `W_q[o, (c, u, v)] = W[o, c, u, v]`
//! for `(u, v) ∈ T_q`. Backward, per position: `dW[:, :, T_q] += dY_qᵀ · X_q` and
//! `dX_q = dY_q · W_q`, added back onto the pixels the patch came from. These are the sums of
//! im2col and one product without their zero terms, and without the copies between NCHW and
//! the patch matrix: `y[:, :, i, j]` and `dY_q` are strided `(N, C_out)` views of the NCHW
//! arrays, which the product reads and writes in place.
//!
//! [`ConvTranspose2d`](super::ConvTranspose2d) uses the same three products in the adjoint
//! roles, as it does with im2col. A layer takes this path when [`Windows::pays`] for its
//! geometry (BENCHMARKS.md, "Performance, round 3", has the measurements).

use super::Float;
use super::gemm::gemm;
use super::im2col::Geometry;
use ndarray::{ArrayView2, ArrayViewMut2, ShapeBuilder};

/// The taps of one output position that read inside the input: `u ∈ u0..u0 + th`,
/// `v ∈ v0..v0 + tw`, whose top-left tap reads input pixel `(iy0, ix0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    /// The output position `i·OW + j`.
    q: usize,
    u0: usize,
    v0: usize,
    th: usize,
    tw: usize,
    iy0: usize,
    ix0: usize,
}

impl Window {
    /// Where the window's taps sit in a `k × k` kernel plane.
    fn taps(&self, k: usize, kk: usize) -> Placement {
        let (first, rows, width) = (self.u0 * k + self.v0, self.th, self.tw);
        Placement {
            first,
            rows,
            width,
            stride: k,
            plane: kk,
        }
    }

    /// Where the pixels it reads sit in an `H × W` image plane (`w` = W, `hw` = H·W).
    fn pixels(&self, w: usize, hw: usize) -> Placement {
        let (first, rows, width) = (self.iy0 * w + self.ix0, self.th, self.tw);
        Placement {
            first,
            rows,
            width,
            stride: w,
            plane: hw,
        }
    }
}

/// For output index `o` along one axis of an input of length `size`: the first tap inside the
/// input, how many taps are inside, and the input index the first one reads. Tap `u` reads
/// `o·s + u − p`, inside when `0 ≤ o·s + u − p < size`.
fn taps_inside(o: usize, g: &Geometry, size: usize) -> (usize, usize, usize) {
    let start = o * g.stride;
    let first = g.pad.saturating_sub(start).min(g.k);
    let end = (size + g.pad).saturating_sub(start).min(g.k);
    let count = end.saturating_sub(first);
    (first, count, (start + first).saturating_sub(g.pad))
}

/// One [`Window`] per output position of `g`, in row-major order.
fn windows_of(g: &Geometry) -> Vec<Window> {
    let mut out = Vec::with_capacity(g.oh * g.ow);
    for i in 0..g.oh {
        let (u0, th, iy0) = taps_inside(i, g, g.h);
        for j in 0..g.ow {
            let (v0, tw, ix0) = taps_inside(j, g, g.w);
            out.push(Window {
                q: i * g.ow + j,
                u0,
                v0,
                th,
                tw,
                iy0,
                ix0,
            });
        }
    }
    out
}

/// A layer's per-position products: the windows of its geometry, the restricted weights `W_q`
/// and patches `X_q` of the last forward (kept for backward, like every layer's cache: a
/// backward pass uses the weights its forward pass saw), and work space. All buffers keep their
/// memory across steps.
#[derive(Debug, Clone)]
pub(crate) struct Windows<A> {
    key: Option<Geometry>,
    windows: Vec<Window>,
    /// `W_q (C_out, C·|T_q|)` for every window, one after the other.
    weights: Vec<A>,
    /// The weight `W` that `weights` were built from.
    source: Vec<A>,
    /// `X_q (N, C·|T_q|)` for every window, one after the other.
    patches: Vec<A>,
    /// One window's `dW_q` or `dX_q`.
    work: Vec<A>,
}

impl<A> Default for Windows<A> {
    fn default() -> Self {
        Self {
            key: None,
            windows: Vec::new(),
            weights: Vec::new(),
            source: Vec::new(),
            patches: Vec::new(),
            work: Vec::new(),
        }
    }
}

impl<A: Float> Windows<A> {
    /// Whether a layer of geometry `g` takes this path: when at least a third of its patch
    /// matrix would be padding (`1 − Σ_q |T_q| / (OH·OW·k²) ≥ 1/3`). DCGAN's 2×2 maps are
    /// 7/16 padding; its 4×4 maps (23 %) and every larger map stay with im2col, where one big
    /// product beats many small ones.
    pub fn pays(g: &Geometry) -> bool {
        let all = g.oh * g.ow * g.k * g.k;
        // Σ_(i,j) th(i)·tw(j) = (Σ_i th(i))·(Σ_j tw(j)): no need to list the windows
        let rows: usize = (0..g.oh).map(|i| taps_inside(i, g, g.h).1).sum();
        let cols: usize = (0..g.ow).map(|j| taps_inside(j, g, g.w).1).sum();
        3 * (all - rows * cols) >= all
    }

    fn set_geometry(&mut self, g: &Geometry) {
        if self.key != Some(*g) {
            self.windows = windows_of(g);
            self.key = Some(*g);
        }
    }

    /// `W_q ← W[:, :, T_q]` for every window, from the weight `w (C_out, C, k, k)` in standard
    /// layout. Kept when `w` and the geometry are what they were last time: a discriminator's
    /// weights serve three forward passes between two optimiser steps, and comparing them costs
    /// far less than rebuilding the windows (one vectorised pass over `W`, against two copies of
    /// 2.25 × `W` on DCGAN's layer). A NaN compares unequal, so it forces a rebuild; ±0 compare
    /// equal, which can change no sum but the sign of an exact zero.
    pub fn load_weights(&mut self, g: &Geometry, w: &[A]) {
        if self.key == Some(*g) && same(&self.source, w) {
            return;
        }
        self.source.clear();
        self.source.extend_from_slice(w);
        self.set_geometry(g);
        let kk = g.k * g.k;
        let planes = w.len() / kk.max(1);
        let total: usize = self.windows.iter().map(|v| planes * v.th * v.tw).sum();
        self.weights.resize(total, A::zero());
        let mut at = 0;
        for win in &self.windows {
            let len = planes * win.th * win.tw;
            if len == 0 {
                continue;
            }
            let place = win.taps(g.k, kk);
            copy_windows(&mut self.weights[at..at + len], w, place);
            at += len;
        }
    }

    /// `X_q ←` the patches of `image (N, C, H, W)` (standard layout) inside each window.
    pub fn gather(&mut self, g: &Geometry, image: &[A]) {
        self.set_geometry(g);
        let hw = g.h * g.w;
        let planes = image.len() / hw.max(1);
        let total: usize = self.windows.iter().map(|v| planes * v.th * v.tw).sum();
        self.patches.resize(total, A::zero());
        let mut at = 0;
        for win in &self.windows {
            let len = planes * win.th * win.tw;
            if len == 0 {
                continue;
            }
            let place = win.pixels(g.w, hw);
            copy_windows(&mut self.patches[at..at + len], image, place);
            at += len;
        }
    }

    /// `map[:, :, i, j] = X_q · W_qᵀ` for every position `q = (i, j)` of `map (N, C_out, OH, OW)`
    /// (standard layout); every entry is written (0 where a position has no tap inside).
    pub fn patches_times_weights(&self, g: &Geometry, n: usize, map: &mut [A]) {
        let ohw = g.oh * g.ow;
        let out_ch = map.len() / (n * ohw).max(1);
        let (mut at_w, mut at_x) = (0, 0);
        for win in &self.windows {
            let taps = g.c * win.th * win.tw;
            let mut y = position_mut(map, win.q, n, out_ch, ohw);
            if taps == 0 {
                y.fill(A::zero());
                continue;
            }
            let x = matrix(&self.patches[at_x..], n, taps);
            let w = matrix(&self.weights[at_w..], out_ch, taps);
            gemm(A::one(), x, w.t(), A::zero(), y.view_mut());
            (at_w, at_x) = (at_w + out_ch * taps, at_x + n * taps);
        }
    }

    /// `dW[:, :, T_q] += dY_qᵀ · X_q` for every position, with `dmap (N, C_out, OH, OW)` the
    /// gradient at the output and `dw (C_out, C, k, k)`, both in standard layout.
    pub fn add_weight_grads(&mut self, g: &Geometry, n: usize, dmap: &[A], dw: &mut [A]) {
        let (ohw, kk, k) = (g.oh * g.ow, g.k * g.k, g.k);
        let out_ch = dmap.len() / (n * ohw).max(1);
        let mut at_x = 0;
        for win in &self.windows {
            let taps = g.c * win.th * win.tw;
            if taps == 0 {
                continue;
            }
            // (C_out, N)·(N, C·|T_q|) into the work space
            self.work.resize(out_ch * taps, A::zero());
            let dy = position(dmap, win.q, n, out_ch, ohw);
            let x = matrix(&self.patches[at_x..], n, taps);
            let work = ArrayViewMut2::from_shape((out_ch, taps), &mut self.work[..])
                .expect("work space fits");
            gemm(A::one(), dy.t(), x, A::zero(), work);
            // scatter-add onto the window's taps in every (o, c) plane of dW
            add_windows(dw, &self.work, win.taps(k, kk));
            at_x += n * taps;
        }
    }

    /// `image += dY_q · W_q` for every position, each patch's gradient added back onto the
    /// pixels it came from: `dmap (N, C_out, OH, OW)`, `image (N, C, H, W)`, standard layout.
    pub fn add_map_times_weights(&mut self, g: &Geometry, n: usize, dmap: &[A], image: &mut [A]) {
        let (ohw, hw) = (g.oh * g.ow, g.h * g.w);
        let out_ch = dmap.len() / (n * ohw).max(1);
        let mut at_w = 0;
        for win in &self.windows {
            let taps = g.c * win.th * win.tw;
            if taps == 0 {
                continue;
            }
            // (N, C_out)·(C_out, C·|T_q|) into the work space
            self.work.resize(n * taps, A::zero());
            let dy = position(dmap, win.q, n, out_ch, ohw);
            let w = matrix(&self.weights[at_w..], out_ch, taps);
            let work =
                ArrayViewMut2::from_shape((n, taps), &mut self.work[..]).expect("work space fits");
            gemm(A::one(), dy, w, A::zero(), work);
            // col2im of the window: every patch back onto its (n, c) image plane
            add_windows(image, &self.work, win.pixels(g.w, hw));
            at_w += out_ch * taps;
        }
    }
}

/// Where one window sits in every plane of a stack of planes: `rows × width` entries, the
/// first at `first`, rows `stride` apart, planes `plane` apart.
#[derive(Debug, Clone, Copy)]
struct Placement {
    first: usize,
    rows: usize,
    width: usize,
    stride: usize,
    plane: usize,
}

/// Copies the window out of every plane of `src`, one window after the other into `dst` (the
/// window's entries row by row). Widths up to 4 (every DCGAN window) get their own unrolled
/// loop: a `memcpy` call per three-entry row cost more than the copy.
fn copy_windows<A: Copy>(dst: &mut [A], src: &[A], at: Placement) {
    fn fixed<A: Copy, const W: usize>(dst: &mut [A], src: &[A], at: Placement) {
        let len = at.rows * W;
        for (d, plane) in dst.chunks_exact_mut(len).zip(src.chunks_exact(at.plane)) {
            for (r, d) in d.chunks_exact_mut(W).enumerate() {
                // a constant length: copied by moves, not a `memcpy` call
                d.copy_from_slice(&plane[at.first + r * at.stride..][..W]);
            }
        }
    }
    /// A 3×3 or 2×2 window (DCGAN's): the whole window unrolled.
    fn square<A: Copy, const R: usize>(dst: &mut [A], src: &[A], at: Placement) {
        for (d, plane) in dst.chunks_exact_mut(R * R).zip(src.chunks_exact(at.plane)) {
            for r in 0..R {
                let s = &plane[at.first + r * at.stride..][..R];
                d[r * R..][..R].copy_from_slice(s);
            }
        }
    }
    match (at.rows, at.width) {
        (3, 3) => square::<A, 3>(dst, src, at),
        (2, 2) => square::<A, 2>(dst, src, at),
        (_, 1) => fixed::<A, 1>(dst, src, at),
        (_, 2) => fixed::<A, 2>(dst, src, at),
        (_, 3) => fixed::<A, 3>(dst, src, at),
        (_, 4) => fixed::<A, 4>(dst, src, at),
        (_, w) => {
            for (d, plane) in dst
                .chunks_exact_mut(at.rows * w)
                .zip(src.chunks_exact(at.plane))
            {
                for (r, d) in d.chunks_exact_mut(w).enumerate() {
                    d.copy_from_slice(&plane[at.first + r * at.stride..][..w]);
                }
            }
        }
    }
}

/// The adjoint of [`copy_windows`]: adds each window of `src` onto its place in every plane
/// of `dst`.
fn add_windows<A: Float>(dst: &mut [A], src: &[A], at: Placement) {
    fn fixed<A: Float, const W: usize>(dst: &mut [A], src: &[A], at: Placement) {
        let len = at.rows * W;
        for (plane, s) in dst.chunks_exact_mut(at.plane).zip(src.chunks_exact(len)) {
            for (r, s) in s.chunks_exact(W).enumerate() {
                let d = &mut plane[at.first + r * at.stride..][..W];
                for i in 0..W {
                    d[i] += s[i];
                }
            }
        }
    }
    fn square<A: Float, const R: usize>(dst: &mut [A], src: &[A], at: Placement) {
        for (plane, s) in dst.chunks_exact_mut(at.plane).zip(src.chunks_exact(R * R)) {
            for r in 0..R {
                let d = &mut plane[at.first + r * at.stride..][..R];
                let s = &s[r * R..][..R];
                for i in 0..R {
                    d[i] += s[i];
                }
            }
        }
    }
    match (at.rows, at.width) {
        (3, 3) => square::<A, 3>(dst, src, at),
        (2, 2) => square::<A, 2>(dst, src, at),
        (_, 1) => fixed::<A, 1>(dst, src, at),
        (_, 2) => fixed::<A, 2>(dst, src, at),
        (_, 3) => fixed::<A, 3>(dst, src, at),
        (_, 4) => fixed::<A, 4>(dst, src, at),
        (_, w) => {
            for (plane, s) in dst
                .chunks_exact_mut(at.plane)
                .zip(src.chunks_exact(at.rows * w))
            {
                for (r, s) in s.chunks_exact(w).enumerate() {
                    let d = &mut plane[at.first + r * at.stride..][..w];
                    d.iter_mut().zip(s).for_each(|(d, &s)| *d += s);
                }
            }
        }
    }
}

/// `a == b` entry by entry, without stopping at the first difference (so the comparison runs
/// in vector registers; weights that changed differ almost everywhere anyway).
fn same<A: Float>(a: &[A], b: &[A]) -> bool {
    a.len() == b.len()
        && a.chunks(256)
            .zip(b.chunks(256))
            .all(|(x, y)| x.iter().zip(y).fold(true, |all, (p, q)| all & (p == q)))
}

/// The first `rows × cols` entries of `data` as a row-major matrix.
fn matrix<A>(data: &[A], rows: usize, cols: usize) -> ArrayView2<'_, A> {
    ArrayView2::from_shape((rows, cols), &data[..rows * cols]).expect("buffer holds the matrix")
}

/// `map[:, :, q]` of a standard-layout `(N, C, OH·OW)` array as an `(N, C)` view.
fn position<A>(map: &[A], q: usize, n: usize, c: usize, ohw: usize) -> ArrayView2<'_, A> {
    ArrayView2::from_shape((n, c).strides((c * ohw, ohw)), &map[q..])
        .expect("position inside the map")
}

/// [`position`], mutable.
fn position_mut<A>(
    map: &mut [A],
    q: usize,
    n: usize,
    c: usize,
    ohw: usize,
) -> ArrayViewMut2<'_, A> {
    ArrayViewMut2::from_shape((n, c).strides((c * ohw, ohw)), &mut map[q..])
        .expect("position inside the map")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(c: usize, size: usize, k: usize, s: usize, p: usize) -> Geometry {
        Geometry::new("test", (c, size, size), k, s, p).expect("valid geometry")
    }

    /// The windows hold exactly the taps that read inside the input: checked against the
    /// definition `0 ≤ o·s + u − p < size`, tap by tap, for geometries with padding on one,
    /// both or no sides, and a kernel wider than the input.
    #[test]
    fn windows_hold_exactly_the_taps_inside() {
        for (size, k, s, p) in [
            (4, 4, 2, 1),
            (2, 4, 2, 1),
            (8, 4, 2, 1),
            (5, 3, 1, 1),
            (3, 5, 1, 2),
            (6, 3, 2, 0),
        ] {
            let g = geometry(1, size, k, s, p);
            for win in windows_of(&g) {
                let (i, j) = (win.q / g.ow, win.q % g.ow);
                for u in 0..k {
                    for v in 0..k {
                        let iy = (i * s + u) as isize - p as isize;
                        let ix = (j * s + v) as isize - p as isize;
                        let inside =
                            (0..size as isize).contains(&iy) && (0..size as isize).contains(&ix);
                        let listed = (win.u0..win.u0 + win.th).contains(&u)
                            && (win.v0..win.v0 + win.tw).contains(&v);
                        assert_eq!(inside, listed, "{g:?} position {i},{j} tap {u},{v}");
                        if listed {
                            assert_eq!(
                                (win.iy0 + u - win.u0, win.ix0 + v - win.v0),
                                (iy as usize, ix as usize)
                            );
                        }
                    }
                }
            }
        }
    }

    /// DCGAN's two geometries: the 4×4 → 2×2 layer takes the windows (7/16 padding), the
    /// 8×8 → 4×4 layer (60/256) and a 3×3 "same" convolution on 8×8 (92/576) do not.
    #[test]
    fn only_mostly_padded_geometries_take_the_windows() {
        assert!(Windows::<f32>::pays(&geometry(32, 4, 4, 2, 1)));
        assert!(!Windows::<f32>::pays(&geometry(1, 8, 4, 2, 1)));
        assert!(!Windows::<f32>::pays(&geometry(8, 8, 3, 1, 1)));
        assert!(Windows::<f32>::pays(&geometry(8, 2, 4, 2, 1)));
        // the factorised count in `pays` is the count over the listed windows
        for (size, k, s, p) in [
            (4, 4, 2, 1),
            (2, 4, 2, 1),
            (8, 4, 2, 1),
            (5, 3, 2, 1),
            (3, 5, 1, 2),
        ] {
            let g = geometry(1, size, k, s, p);
            let inside: usize = windows_of(&g).iter().map(|w| w.th * w.tw).sum();
            let all = g.oh * g.ow * k * k;
            assert_eq!(Windows::<f32>::pays(&g), 3 * (all - inside) >= all, "{g:?}");
        }
    }
}
