/**
 * The little dense linear algebra the recommenders need, on row-major Float64Arrays:
 * EASE inverts one K × K Gram matrix (K ≈ 2,000–3,000) and ALS solves one f × f system per
 * user or item (f ≈ 32–128). Both matrices are symmetric positive definite (a Gram matrix
 * plus λI), so Cholesky is enough: half the work of Gauss-Jordan and no pivoting.
 *
 * Every inner loop walks two rows of the lower triangle contiguously (dot products of row
 * prefixes), which is what keeps a 3,000 × 3,000 inverse in seconds in plain JavaScript.
 * No library: none maintained for Node does this without native code or WebAssembly.
 */

export class NotPositiveDefiniteError extends Error {
  constructor(readonly row: number) {
    super(`matrix is not positive definite (pivot ${row}); raise the regularisation`);
    this.name = 'NotPositiveDefiniteError';
  }
}

/**
 * Σ_k a[x + k] · a[y + k] for k < len. Four accumulators: a single running sum is bound by
 * the add latency, which made the inverse below four times slower.
 */
function dot(a: Float64Array, x: number, y: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[x + k] * a[y + k];
    s1 += a[x + k + 1] * a[y + k + 1];
    s2 += a[x + k + 2] * a[y + k + 2];
    s3 += a[x + k + 3] * a[y + k + 3];
  }
  for (; k < len; k++) s0 += a[x + k] * a[y + k];
  return s0 + s1 + s2 + s3;
}

/**
 * Overwrites the lower triangle of `a` (n × n, symmetric, row-major) with L, where A = L Lᵀ.
 * The strict upper triangle is left as it was and is never read.
 */
export function choleskyInPlace(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const s = a[ri + j] - dot(a, ri, rj, j);
      if (j === i) {
        if (!(s > 0)) throw new NotPositiveDefiniteError(i);
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j];
      }
    }
  }
}

/** Solves L Lᵀ x = b in place in `b`, with L from choleskyInPlace. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * b[k];
    b[i] = s / l[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/**
 * Replaces a symmetric positive definite `a` (n × n, row-major) by its inverse, full and
 * symmetric, with no second n × n buffer. About n³/2 multiply-adds, all as contiguous dot
 * products:
 * 1. Cholesky, L in the lower triangle (n³/6);
 * 2. M = L⁻¹ column by column, column j stored as row j of the upper triangle (T = Mᵀ),
 *    its diagonal in a vector (n³/6);
 * 3. A⁻¹ = Mᵀ M: (A⁻¹)_ij = Σ_{k ≥ j} T_ik T_jk for i ≤ j, written into the lower triangle,
 *    which L no longer needs (n³/6); then mirrored.
 */
export function invertSpdInPlace(a: Float64Array, n: number): void {
  choleskyInPlace(a, n);
  const tDiag = new Float64Array(n);
  const col = new Float64Array(n); // column j of M, contiguous, for the dot products
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    tDiag[j] = 1 / a[rj + j];
    col[j] = tDiag[j];
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      // M_ij = −(Σ_{j ≤ k < i} L_ik M_kj) / L_ii
      let s0 = 0;
      let s1 = 0;
      let k = j;
      for (; k + 1 < i; k += 2) {
        s0 += a[ri + k] * col[k];
        s1 += a[ri + k + 1] * col[k + 1];
      }
      if (k < i) s0 += a[ri + k] * col[k];
      col[i] = -(s0 + s1) / a[ri + i];
    }
    for (let i = j + 1; i < n; i++) a[rj + i] = col[i];
  }
  const pDiag = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    // Put T's diagonal back in place for the dot products, row i's own only while it is used.
    for (let j = i; j < n; j++) {
      const rj = j * n;
      const tij = j === i ? tDiag[i] : a[ri + j];
      // Σ_{k ≥ j} T_ik T_jk = T_ij T_jj + Σ_{k > j} T_ik T_jk
      const v = tij * tDiag[j] + dot(a, ri + j + 1, rj + j + 1, n - j - 1);
      if (j === i) pDiag[i] = v;
      else a[rj + i] = v; // lower triangle, row j ≥ i
    }
  }
  for (let i = 0; i < n; i++) {
    a[i * n + i] = pDiag[i];
    for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  }
}
