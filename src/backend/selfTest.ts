/** A tiny matmul on the active tfjs backend, checked against plain JavaScript, to prove it computes. */
import * as tf from '@tensorflow/tfjs';

/** Outcome of the self-test: on which backend it ran, whether the numbers matched, and how long it took. */
export interface SelfTestResult {
  backend: string;
  ok: boolean;
  /** Wall time of the second (warm) run, including the read back to the CPU. */
  ms: number;
  /** Largest absolute difference from the JavaScript reference. */
  maxError: number;
}

/** Deterministic test values in [0, 1) so that every run multiplies the same matrices. */
function testMatrix(rows: number, cols: number, salt: number): Float32Array {
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = ((i * 7 + salt * 13) % 17) / 17;
  return values;
}

function referenceMatMul(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k] ?? 0;
      for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] ?? 0) + aik * (b[k * n + j] ?? 0);
    }
  }
  return c;
}

/** Multiplies two n x n matrices on the active backend twice (the first run compiles) and checks the result. */
export async function runMatmulSelfTest(n = 64): Promise<SelfTestResult> {
  const aValues = testMatrix(n, n, 1);
  const bValues = testMatrix(n, n, 2);
  const a = tf.tensor2d(aValues, [n, n]);
  const b = tf.tensor2d(bValues, [n, n]);
  try {
    const warmup = tf.matMul(a, b);
    await warmup.data();
    warmup.dispose();
    const start = performance.now();
    const product = tf.matMul(a, b);
    const values = await product.data();
    const ms = performance.now() - start;
    product.dispose();
    const expected = referenceMatMul(aValues, bValues, n);
    let maxError = 0;
    for (let i = 0; i < expected.length; i++) {
      maxError = Math.max(maxError, Math.abs((values[i] ?? NaN) - (expected[i] ?? 0)));
    }
    // NaN compares false, so a NaN anywhere also fails the check.
    return { backend: tf.getBackend(), ok: maxError < 1e-3, ms, maxError };
  } finally {
    a.dispose();
    b.dispose();
  }
}
