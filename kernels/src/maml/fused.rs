//! The MAML sinusoid MLP of [`super::net`] for **one task at a time**, on flat `f32` slices with
//! reused buffers: the same equations (forward, gradient, Hessian-vector product — see the
//! documentation of [`super::net`]), computed without ndarray.
//!
//! Why a second implementation? The network is tiny (`K = 10` points, `H = 40` units): one
//! layer-2 product is `10 × 40 × 40 = 16 000` multiply-adds, so ndarray's per-call work (views,
//! layout checks, packing, a fresh allocation per result) costs as much as the arithmetic. Here
//! every product is one register-blocked loop [`gemm`] whose row of 40 outputs stays in
//! registers, and nothing is allocated once the buffers of a [`Pass`] have grown. [`super::net`]
//! stays the readable reference (and what the JAX goldens check); tests check that both agree.
//!
//! # Layout
//! A task's parameters are one slice of [`param_len`]`(H) = H² + 4H + 1` values in the order of
//! [`super::net::Theta::parts`]: `w1 (1, H)`, `b1 (H)`, `w2 (H, H)` row-major (`W[in][out]`),
//! `b2 (H)`, `w3 (H, 1)`, `b3 (1)`. Activations are row-major `(K, H)`.

/// Multiply-add `a · b + c`: [`Plain`] rounds twice (portable), [`Fused`] once — with the
/// `fma` CPU feature it is one instruction, which is why the fused path is only compiled and
/// chosen where the CPU has it (see [`super::engine`]).
pub trait Fma {
    fn fma(a: f32, b: f32, c: f32) -> f32;
}

/// `a · b + c` with two roundings.
pub struct Plain;
impl Fma for Plain {
    #[inline(always)]
    fn fma(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
}

/// `a · b + c` with one rounding (`f32::mul_add`).
pub struct Fused;
impl Fma for Fused {
    #[inline(always)]
    fn fma(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}

/// Parameters of one task: `H² + 4H + 1`.
pub fn param_len(h: usize) -> usize {
    h * h + 4 * h + 1
}

/// `W2 (H, H)` of a task's flat parameters.
pub fn w2_of(p: &[f32], h: usize) -> &[f32] {
    &p[2 * h..2 * h + h * h]
}

/// The six parameter tensors of one task, split out of its flat slice.
struct Parts<'a> {
    w1: &'a [f32],
    b1: &'a [f32],
    w2: &'a [f32],
    b2: &'a [f32],
    w3: &'a [f32],
    b3: f32,
}

#[inline(always)]
fn parts(p: &[f32], h: usize) -> Parts<'_> {
    let (w1, rest) = p.split_at(h);
    let (b1, rest) = rest.split_at(h);
    let (w2, rest) = rest.split_at(h * h);
    let (b2, rest) = rest.split_at(h);
    let (w3, rest) = rest.split_at(h);
    Parts {
        w1,
        b1,
        w2,
        b2,
        w3,
        b3: rest[0],
    }
}

/// The six gradient tensors of one task, mutable.
struct PartsMut<'a> {
    w1: &'a mut [f32],
    b1: &'a mut [f32],
    w2: &'a mut [f32],
    b2: &'a mut [f32],
    w3: &'a mut [f32],
    b3: &'a mut f32,
}

#[inline(always)]
fn parts_mut(p: &mut [f32], h: usize) -> PartsMut<'_> {
    let (w1, rest) = p.split_at_mut(h);
    let (b1, rest) = rest.split_at_mut(h);
    let (w2, rest) = rest.split_at_mut(h * h);
    let (b2, rest) = rest.split_at_mut(h);
    let (w3, rest) = rest.split_at_mut(h);
    PartsMut {
        w1,
        b1,
        w2,
        b2,
        w3,
        b3: &mut rest[0],
    }
}

/// `C (m, n) += A (m, k) · B (k, n)`, with `A(i, p) = a[i·rs + p·cs]` (so `cs = m, rs = 1`
/// reads `Aᵀ` of a row-major `(k, m)` array) and `B`, `C` row-major with `n` columns.
///
/// Output rows are taken **two at a time**, each in strips of 40, then 8, then 1 columns whose
/// partial sums stay in registers over the whole `p` loop: per `p`, two broadcasts of `A(i, p)`,
/// `A(i + 1, p)` and one pass over `B`'s row feed `2 S / 8` independent multiply-adds (ten for
/// `S = 40`: enough chains in flight to cover the FMA latency), and `C` is read and written
/// once. Every `C(i, j)` still accumulates over `p` in order, so the blocking does not change
/// the result.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn gemm<F: Fma>(
    c: &mut [f32],
    a: &[f32],
    (rs, cs): (usize, usize),
    b: &[f32],
    m: usize,
    k: usize,
    n: usize,
) {
    let b = &b[..k * n];
    let mut rows = c[..m * n].chunks_exact_mut(2 * n);
    for (pair, row) in rows.by_ref().enumerate() {
        let (c0, c1) = row.split_at_mut(n);
        let i = 2 * pair;
        row_pair::<F>(c0, Some(c1), a, (i * rs, (i + 1) * rs, cs), b, k, n);
    }
    let last = rows.into_remainder();
    if !last.is_empty() {
        row_pair::<F>(last, None, a, ((m - 1) * rs, (m - 1) * rs, cs), b, k, n);
    }
}

/// Rows `c0` and (if given) `c1` of [`gemm`], whose `A` rows start at `a0` and `a1`. The two
/// layouts the network uses get iterators without a stride to step: rows of a row-major `A`
/// (`cs = 1`: two contiguous slices) and two neighbouring columns of it (`Aᵀ`, `a1 = a0 + 1`:
/// one chunk of `cs` values per `p`).
#[inline(always)]
fn row_pair<F: Fma>(
    c0: &mut [f32],
    c1: Option<&mut [f32]>,
    a: &[f32],
    (a0, a1, cs): (usize, usize, usize),
    b: &[f32],
    k: usize,
    n: usize,
) {
    match c1 {
        Some(c1) if cs == 1 => {
            let (r0, r1) = (&a[a0..a0 + k], &a[a1..a1 + k]);
            strips2::<F, _, _>([c0, c1], || r0.iter().zip(r1).map(|(&x, &y)| (x, y)), b, n);
        }
        Some(c1) if a1 == a0 + 1 => {
            let cols = || a[a0..].chunks(cs).take(k).map(|c| (c[0], c[1]));
            strips2::<F, _, _>([c0, c1], cols, b, n);
        }
        Some(c1) => {
            let at = |start: usize| a[start..].iter().step_by(cs.max(1)).take(k);
            let pairs = || at(a0).zip(at(a1)).map(|(&x, &y)| (x, y));
            strips2::<F, _, _>([c0, c1], pairs, b, n);
        }
        None => {
            let col = || a[a0..].iter().step_by(cs.max(1)).take(k);
            let mut j = 0;
            while j + 40 <= n {
                strip::<F, 40>(&mut c0[j..j + 40], col(), b, j, n);
                j += 40;
            }
            while j + 8 <= n {
                strip::<F, 8>(&mut c0[j..j + 8], col(), b, j, n);
                j += 8;
            }
            while j < n {
                strip::<F, 1>(&mut c0[j..j + 1], col(), b, j, n);
                j += 1;
            }
        }
    }
}

/// The strips of 40, 8 and 1 columns of two output rows; `pairs()` yields `(A(i, p), A(i+1, p))`.
#[inline(always)]
fn strips2<F: Fma, P: Fn() -> I, I: Iterator<Item = (f32, f32)>>(
    [c0, c1]: [&mut [f32]; 2],
    pairs: P,
    b: &[f32],
    n: usize,
) {
    let mut j = 0;
    while j + 40 <= n {
        strip2::<F, 40>([&mut c0[j..j + 40], &mut c1[j..j + 40]], pairs(), b, j, n);
        j += 40;
    }
    while j + 8 <= n {
        strip2::<F, 8>([&mut c0[j..j + 8], &mut c1[j..j + 8]], pairs(), b, j, n);
        j += 8;
    }
    while j < n {
        strip2::<F, 1>([&mut c0[j..j + 1], &mut c1[j..j + 1]], pairs(), b, j, n);
        j += 1;
    }
}

/// One strip of `S` columns of two output rows of [`gemm`], accumulated in registers: per row
/// `p` of `B`, both rows' values of `A` are broadcast against the same `S` values of `B`.
#[inline(always)]
fn strip2<F: Fma, const S: usize>(
    [out0, out1]: [&mut [f32]; 2],
    pairs: impl Iterator<Item = (f32, f32)>,
    b: &[f32],
    j: usize,
    n: usize,
) {
    let (mut acc0, mut acc1) = ([0f32; S], [0f32; S]);
    acc0.copy_from_slice(out0);
    acc1.copy_from_slice(out1);
    for ((x0, x1), brow) in pairs.zip(b.chunks_exact(n)) {
        let brow: &[f32; S] = brow[j..j + S]
            .try_into()
            .expect("a strip lies inside its row");
        for l in 0..S {
            acc0[l] = F::fma(x0, brow[l], acc0[l]);
            acc1[l] = F::fma(x1, brow[l], acc1[l]);
        }
    }
    out0.copy_from_slice(&acc0);
    out1.copy_from_slice(&acc1);
}

/// One strip of `S` columns of one output row of [`gemm`] (an odd last row).
#[inline(always)]
fn strip<'a, F: Fma, const S: usize>(
    out: &mut [f32],
    a: impl Iterator<Item = &'a f32>,
    b: &[f32],
    j: usize,
    n: usize,
) {
    let mut acc = [0f32; S];
    acc.copy_from_slice(out);
    for (&av, brow) in a.zip(b.chunks_exact(n)) {
        let brow: &[f32; S] = brow[j..j + S]
            .try_into()
            .expect("a strip lies inside its row");
        for l in 0..S {
            acc[l] = F::fma(av, brow[l], acc[l]);
        }
    }
    out.copy_from_slice(&acc);
}

/// `s + Σ_j a_j b_j` with 8 independent partial sums (summed in a fixed order at the end), so
/// that the multiply-adds do not wait for each other.
#[inline(always)]
fn dot<F: Fma>(a: &[f32], b: &[f32], s: f32) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] = F::fma(x[l], y[l], acc[l]);
        }
    }
    let mut tail = s;
    for (&x, &y) in ra.iter().zip(rb) {
        tail = F::fma(x, y, tail);
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// `‖a‖ = √(Σ_j a_j²)`, with the 8 partial sums of [`dot`] (a single running sum would make
/// every addition wait for the previous one: ~1 800 dependent adds for `H = 40`).
#[inline(always)]
pub fn norm<F: Fma>(a: &[f32]) -> f32 {
    dot::<F>(a, a, 0.0).sqrt()
}

/// `Wᵀ` of a row-major `(h, h)` matrix, into `out`: in 8 × 8 tiles (with AVX, eight loads,
/// 24 shuffles and eight stores per tile; otherwise through a fixed-size array), then the edge
/// rows and columns when `h` is not a multiple of 8. Not inlined: plain moves, no FMA, and
/// inlining it into the per-task code measurably slowed the second-order update.
#[inline(never)]
pub fn transpose(w: &[f32], h: usize, out: &mut Vec<f32>) {
    out.resize(h * h, 0.0);
    let hb = h / 8 * 8;
    #[cfg(target_arch = "x86_64")]
    let avx = std::arch::is_x86_feature_detected!("avx");
    for bi in (0..hb).step_by(8) {
        for bj in (0..hb).step_by(8) {
            #[cfg(target_arch = "x86_64")]
            if avx {
                // SAFETY: the CPU has AVX (checked above).
                unsafe { tile_avx(w, h, (bi, bj), out) };
                continue;
            }
            tile(w, h, (bi, bj), out);
        }
    }
    for i in 0..h {
        let from = if i < hb { hb } else { 0 };
        for j in from..h {
            out[j * h + i] = w[i * h + j];
        }
    }
}

/// The 8 × 8 tile of [`transpose`] whose top-left corner in `w` is `(bi, bj)`.
fn tile(w: &[f32], h: usize, (bi, bj): (usize, usize), out: &mut [f32]) {
    let mut t = [[0f32; 8]; 8];
    for (r, row) in t.iter_mut().enumerate() {
        row.copy_from_slice(&w[(bi + r) * h + bj..][..8]);
    }
    for c in 0..8 {
        let dst = &mut out[(bj + c) * h + bi..][..8];
        for (r, d) in dst.iter_mut().enumerate() {
            *d = t[r][c];
        }
    }
}

/// [`tile`] with AVX: rows `r0..r7` → pairs interleaved (`unpack`), then quadruples
/// (`shuffle`), then the 128-bit halves exchanged (`permute2f128`): register `c` holds column
/// `c` of the tile.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn tile_avx(w: &[f32], h: usize, (bi, bj): (usize, usize), out: &mut [f32]) {
    use std::arch::x86_64::*;
    let mut r = [_mm256_setzero_ps(); 8];
    for (k, v) in r.iter_mut().enumerate() {
        let src = &w[(bi + k) * h + bj..][..8];
        // SAFETY: `src` holds 8 values (sliced above); unaligned load.
        *v = unsafe { _mm256_loadu_ps(src.as_ptr()) };
    }
    let t = [
        _mm256_unpacklo_ps(r[0], r[1]),
        _mm256_unpackhi_ps(r[0], r[1]),
        _mm256_unpacklo_ps(r[2], r[3]),
        _mm256_unpackhi_ps(r[2], r[3]),
        _mm256_unpacklo_ps(r[4], r[5]),
        _mm256_unpackhi_ps(r[4], r[5]),
        _mm256_unpacklo_ps(r[6], r[7]),
        _mm256_unpackhi_ps(r[6], r[7]),
    ];
    let s = [
        _mm256_shuffle_ps::<0x44>(t[0], t[2]),
        _mm256_shuffle_ps::<0xEE>(t[0], t[2]),
        _mm256_shuffle_ps::<0x44>(t[1], t[3]),
        _mm256_shuffle_ps::<0xEE>(t[1], t[3]),
        _mm256_shuffle_ps::<0x44>(t[4], t[6]),
        _mm256_shuffle_ps::<0xEE>(t[4], t[6]),
        _mm256_shuffle_ps::<0x44>(t[5], t[7]),
        _mm256_shuffle_ps::<0xEE>(t[5], t[7]),
    ];
    let cols = [
        _mm256_permute2f128_ps::<0x20>(s[0], s[4]),
        _mm256_permute2f128_ps::<0x20>(s[1], s[5]),
        _mm256_permute2f128_ps::<0x20>(s[2], s[6]),
        _mm256_permute2f128_ps::<0x20>(s[3], s[7]),
        _mm256_permute2f128_ps::<0x31>(s[0], s[4]),
        _mm256_permute2f128_ps::<0x31>(s[1], s[5]),
        _mm256_permute2f128_ps::<0x31>(s[2], s[6]),
        _mm256_permute2f128_ps::<0x31>(s[3], s[7]),
    ];
    for (c, col) in cols.into_iter().enumerate() {
        let dst = &mut out[(bj + c) * h + bi..][..8];
        // SAFETY: `dst` holds 8 values (sliced above); unaligned store.
        unsafe { _mm256_storeu_ps(dst.as_mut_ptr(), col) };
    }
}

/// `Σ_k a[k, :]` of a row-major `(K, H)` array, into `out (H)`.
#[inline(always)]
fn sum_rows(a: &[f32], h: usize, out: &mut [f32]) {
    out.fill(0.0);
    for row in a.chunks_exact(h) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

/// Zeroes `a` where the layer output `h` is not positive: `a ⊙ [h > 0]`.
#[inline(always)]
fn mask(a: &mut [f32], h: &[f32]) {
    for (v, &hv) in a.iter_mut().zip(h) {
        if hv <= 0.0 {
            *v = 0.0;
        }
    }
}

/// One forward and backward pass on `K` points: what the Hessian-vector product reuses.
#[derive(Debug, Clone, Default)]
pub struct Pass {
    k: usize,
    x: Vec<f32>,
    h1: Vec<f32>,   // (K, H)
    h2: Vec<f32>,   // (K, H)
    pred: Vec<f32>, // (K)
    dy: Vec<f32>,   // dŷ (K)
    dz2: Vec<f32>,  // (K, H)
    dz1: Vec<f32>,  // (K, H)
}

impl Pass {
    /// `ŷ (K)` of the last [`forward`].
    pub fn pred(&self) -> &[f32] {
        &self.pred
    }
}

/// `ŷ` for the points `x (K)` under `p`; fills `pass.x, h1, h2, pred` (`z = x W + b`,
/// `h = relu(z)`, `ŷ = h2 w3 + b3`).
#[inline(always)]
pub fn forward<F: Fma>(p: &[f32], h: usize, x: &[f32], pass: &mut Pass) {
    let q = parts(p, h);
    let k = x.len();
    pass.k = k;
    pass.x.clear();
    pass.x.extend_from_slice(x);
    pass.h1.resize(k * h, 0.0);
    pass.h2.resize(k * h, 0.0);
    pass.pred.resize(k, 0.0);
    for (row, &xk) in pass.h1.chunks_exact_mut(h).zip(x) {
        for ((o, &w), &b) in row.iter_mut().zip(q.w1).zip(q.b1) {
            *o = F::fma(xk, w, b).max(0.0);
        }
    }
    for row in pass.h2.chunks_exact_mut(h) {
        row.copy_from_slice(q.b2);
    }
    gemm::<F>(&mut pass.h2, &pass.h1, (h, 1), q.w2, k, h, h);
    for (v, row) in pass.pred.iter_mut().zip(pass.h2.chunks_exact_mut(h)) {
        row.iter_mut().for_each(|hv| *hv = hv.max(0.0));
        *v = dot::<F>(row, q.w3, q.b3);
    }
}

/// Mean squared error of the last [`forward`] against `y`, and the backward pass: fills
/// `pass.dy, dz2, dz1` and writes `∇L` into `grad` (layout of `p`). Returns the loss.
/// `w2t` is `W2ᵀ` of `p` ([`transpose`]; shared weights need it only once for all tasks).
#[inline(always)]
pub fn backward<F: Fma>(
    p: &[f32],
    w2t: &[f32],
    h: usize,
    y: &[f32],
    pass: &mut Pass,
    grad: &mut [f32],
) -> f32 {
    let q = parts(p, h);
    let k = pass.k;
    let two_over_k = 2.0 / k.max(1) as f32;
    pass.dy.resize(k, 0.0);
    let mut loss = 0.0;
    for ((d, &pr), &yt) in pass.dy.iter_mut().zip(&pass.pred).zip(y) {
        let diff = pr - yt;
        loss += diff * diff;
        *d = diff * two_over_k;
    }
    pass.dz2.resize(k * h, 0.0);
    for ((row, hrow), &d) in pass
        .dz2
        .chunks_exact_mut(h)
        .zip(pass.h2.chunks_exact(h))
        .zip(&pass.dy)
    {
        for ((o, &w), &hv) in row.iter_mut().zip(q.w3).zip(hrow) {
            *o = if hv > 0.0 { d * w } else { 0.0 };
        }
    }
    pass.dz1.clear();
    pass.dz1.resize(k * h, 0.0);
    gemm::<F>(&mut pass.dz1, &pass.dz2, (h, 1), w2t, k, h, h);
    mask(&mut pass.dz1, &pass.h1);
    let g = parts_mut(grad, h);
    weight_grads::<F>(g, h, pass);
    loss / k.max(1) as f32
}

/// `dW1 = xᵀ dz1, db1 = Σ dz1, dW2 = h1ᵀ dz2, db2 = Σ dz2, dW3 = h2ᵀ dŷ, db3 = Σ dŷ`.
#[inline(always)]
fn weight_grads<F: Fma>(g: PartsMut<'_>, h: usize, pass: &Pass) {
    let k = pass.k;
    g.w1.fill(0.0);
    g.w3.fill(0.0);
    for kk in 0..k {
        let (x, d) = (pass.x[kk], pass.dy[kk]);
        let dz1 = &pass.dz1[kk * h..(kk + 1) * h];
        let h2 = &pass.h2[kk * h..(kk + 1) * h];
        for j in 0..h {
            g.w1[j] = F::fma(x, dz1[j], g.w1[j]);
            g.w3[j] = F::fma(h2[j], d, g.w3[j]);
        }
    }
    sum_rows(&pass.dz1, h, g.b1);
    sum_rows(&pass.dz2, h, g.b2);
    *g.b3 = pass.dy.iter().sum();
    g.w2.fill(0.0);
    gemm::<F>(g.w2, &pass.h1, (1, h), &pass.dz2, h, k, h);
}

/// Scratch space of [`hvp`].
#[derive(Debug, Clone, Default)]
pub struct Tangents {
    h1: Vec<f32>,  // ḣ1 (K, H)
    h2: Vec<f32>,  // ḣ2 (K, H)
    dy: Vec<f32>,  // d(dŷ) (K)
    dz2: Vec<f32>, // d(dz2) (K, H)
    dz1: Vec<f32>, // d(dz1) (K, H)
    v2t: Vec<f32>, // V2ᵀ (H, H)
}

/// `H v`: the Hessian of the loss of `pass` (a [`forward`] + [`backward`] at `p`, whose `W2ᵀ`
/// is `w2t`) times the direction `v`, into `out` — forward-over-reverse, as in [`super::net`]:
///
/// ```text
/// ḣ1 = (x V1 + c1) ⊙ m1            ḣ2 = (ḣ1 W2 + h1 V2 + c2) ⊙ m2
/// d(dŷ) = 2 (ḣ2 W3 + h2 V3 + c3) / K
/// d(dz2) = (d(dŷ) W3ᵀ + dŷ V3ᵀ) ⊙ m2   d(dz1) = (d(dz2) W2ᵀ + dz2 V2ᵀ) ⊙ m1
/// (Hv)_W1 = xᵀ d(dz1)   (Hv)_W2 = ḣ1ᵀ dz2 + h1ᵀ d(dz2)   (Hv)_W3 = ḣ2ᵀ dŷ + h2ᵀ d(dŷ)
/// (Hv)_b = Σ_k of d(dz1), d(dz2), d(dŷ)
/// ```
#[inline(always)]
pub fn hvp<F: Fma>(
    (p, w2t): (&[f32], &[f32]),
    h: usize,
    pass: &Pass,
    v: &[f32],
    t: &mut Tangents,
    out: &mut [f32],
) {
    let (q, vq) = (parts(p, h), parts(v, h));
    let k = pass.k;
    let two_over_k = 2.0 / k.max(1) as f32;
    t.h1.resize(k * h, 0.0);
    for ((row, &xk), h1) in
        t.h1.chunks_exact_mut(h)
            .zip(&pass.x)
            .zip(pass.h1.chunks_exact(h))
    {
        for (((o, &w), &c), &hv) in row.iter_mut().zip(vq.w1).zip(vq.b1).zip(h1) {
            *o = if hv > 0.0 { F::fma(xk, w, c) } else { 0.0 };
        }
    }
    t.h2.resize(k * h, 0.0);
    for row in t.h2.chunks_exact_mut(h) {
        row.copy_from_slice(vq.b2);
    }
    gemm::<F>(&mut t.h2, &t.h1, (h, 1), q.w2, k, h, h);
    gemm::<F>(&mut t.h2, &pass.h1, (h, 1), vq.w2, k, h, h);
    mask(&mut t.h2, &pass.h2);
    t.dy.resize(k, 0.0);
    for kk in 0..k {
        let (h2t, h2) = (&t.h2[kk * h..(kk + 1) * h], &pass.h2[kk * h..(kk + 1) * h]);
        t.dy[kk] = dot::<F>(h2t, q.w3, dot::<F>(h2, vq.w3, vq.b3)) * two_over_k;
    }
    t.dz2.resize(k * h, 0.0);
    let rows = t.dz2.chunks_exact_mut(h).zip(pass.h2.chunks_exact(h));
    for ((row, h2), (&dyt, &dy)) in rows.zip(t.dy.iter().zip(&pass.dy)) {
        for (((o, &hv), &w), &vw) in row.iter_mut().zip(h2).zip(q.w3).zip(vq.w3) {
            let v = F::fma(dyt, w, dy * vw);
            *o = if hv > 0.0 { v } else { 0.0 };
        }
    }
    transpose(vq.w2, h, &mut t.v2t);
    t.dz1.clear();
    t.dz1.resize(k * h, 0.0);
    gemm::<F>(&mut t.dz1, &t.dz2, (h, 1), w2t, k, h, h);
    gemm::<F>(&mut t.dz1, &pass.dz2, (h, 1), &t.v2t, k, h, h);
    mask(&mut t.dz1, &pass.h1);
    hvp_grads::<F>(parts_mut(out, h), h, pass, t);
}

/// The last line of [`hvp`]: the parameter components of `H v`.
#[inline(always)]
fn hvp_grads<F: Fma>(g: PartsMut<'_>, h: usize, pass: &Pass, t: &Tangents) {
    let k = pass.k;
    g.w1.fill(0.0);
    g.w3.fill(0.0);
    for kk in 0..k {
        let (x, dy, dyt) = (pass.x[kk], pass.dy[kk], t.dy[kk]);
        let r = kk * h..(kk + 1) * h;
        let (dz1t, h2t, h2) = (&t.dz1[r.clone()], &t.h2[r.clone()], &pass.h2[r]);
        for j in 0..h {
            g.w1[j] = F::fma(x, dz1t[j], g.w1[j]);
            g.w3[j] = F::fma(h2t[j], dy, F::fma(h2[j], dyt, g.w3[j]));
        }
    }
    sum_rows(&t.dz1, h, g.b1);
    sum_rows(&t.dz2, h, g.b2);
    *g.b3 = t.dy.iter().sum();
    g.w2.fill(0.0);
    gemm::<F>(g.w2, &t.h1, (1, h), &pass.dz2, h, k, h);
    gemm::<F>(g.w2, &pass.h1, (1, h), &t.dz2, h, k, h);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every width: whole tiles only (8, 40), edges only (1, 7), both (13, 21).
    #[test]
    fn transpose_moves_every_entry() {
        for h in [1, 7, 8, 13, 21, 40] {
            let w: Vec<f32> = (0..h * h).map(|v| v as f32).collect();
            let mut out = Vec::new();
            transpose(&w, h, &mut out);
            for i in 0..h {
                for j in 0..h {
                    assert_eq!(out[j * h + i], w[i * h + j], "h {h}, ({i}, {j})");
                }
            }
        }
    }
}
