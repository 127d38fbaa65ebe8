/**
 * Cholesky factorisation A = L·Lᵀ of a dense symmetric positive-definite
 * matrix, and the solve that uses it. Row-major p × p Float64Arrays; only the
 * lower triangle of A is read.
 */

/**
 * The lower-triangular factor L (row-major, upper part zero), or null when A
 * is not numerically positive definite.
 *
 * @example
 * const L = cholesky(new Float64Array([4, 2, 2, 3]), 2); // [[2, 0], [1, √2]]
 */
export function cholesky(a: Float64Array, p: number): Float64Array | null {
  const L = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const jo = j * p;
    let diag = a[jo + j]!;
    for (let k = 0; k < j; k++) diag -= L[jo + k]! * L[jo + k]!;
    if (!(diag > 0)) return null;
    const ljj = Math.sqrt(diag);
    L[jo + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      const io = i * p;
      let v = a[io + j]!;
      for (let k = 0; k < j; k++) v -= L[io + k]! * L[jo + k]!;
      L[io + j] = v / ljj;
    }
  }
  return L;
}

/**
 * Solves L·Lᵀ·x = b for x, given the factor from `cholesky`.
 *
 * @example
 * const x = choleskySolve(L, new Float64Array([1, 2]), 2);
 */
export function choleskySolve(L: Float64Array, b: Float64Array, p: number): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < p; i++) {
    const io = i * p;
    let v = x[i]!;
    for (let k = 0; k < i; k++) v -= L[io + k]! * x[k]!;
    x[i] = v / L[io + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let v = x[i]!;
    for (let k = i + 1; k < p; k++) v -= L[k * p + i]! * x[k]!;
    x[i] = v / L[i * p + i]!;
  }
  return x;
}
