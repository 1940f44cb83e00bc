import { describe, expect, it } from 'vitest';
import { choleskyInPlace, choleskySolveInPlace, invertSpdInPlace, NotPositiveDefiniteError } from '../../../../functions/domain/recommend/dense-matrix.ts';

describe('dense SPD algebra', () => {
  // A = [[4, 2, 0], [2, 5, 1], [0, 1, 3]]: L = [[2, 0, 0], [1, 2, 0], [0, 0.5, √2.75]] by hand.
  const A = [4, 2, 0, 2, 5, 1, 0, 1, 3];

  it('factors A = L Lᵀ', () => {
    // Prepare
    const a = Float64Array.from(A);
    // Act
    choleskyInPlace(a, 3);
    // Assess: the lower triangle is L
    expect([a[0], a[3], a[4], a[6], a[7], a[8]].map((v) => Number(v.toFixed(12)))).toEqual([2, 1, 2, 0, 0.5, Number(Math.sqrt(2.75).toFixed(12))]);
  });

  it('solves A x = b', () => {
    // Prepare: x = (1, -1, 2) → b = A x = (2, -1, 5)
    const l = Float64Array.from(A);
    choleskyInPlace(l, 3);
    const b = Float64Array.from([2, -1, 5]);
    // Act
    choleskySolveInPlace(l, 3, b);
    // Assess
    expect(Array.from(b, (v) => Number(v.toFixed(12)))).toEqual([1, -1, 2]);
  });

  it('inverts A so that A · A⁻¹ = I', () => {
    // Prepare
    const inv = Float64Array.from(A);
    // Act
    invertSpdInPlace(inv, 3);
    // Assess
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += A[i * 3 + k] * inv[k * 3 + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    expect(inv[1]).toBe(inv[3]); // symmetric
  });

  it('refuses a matrix that is not positive definite', () => {
    // Prepare: eigenvalues 3 and -1
    const a = Float64Array.from([1, 2, 2, 1]);
    // Act / Assess
    expect(() => invertSpdInPlace(a, 2)).toThrow(NotPositiveDefiniteError);
  });
});
