// Per-image layer kernels of the fused CPU step (AssemblyScript, wasm SIMD). Tensors are NHWC
// with channels padded to a multiple of 4 (pads hold zeros), so every inner loop runs over f32x4
// vectors of output channels. Pointers are byte addresses; sizes are in floats.

@inline function f4(x: f32): v128 {
  return f32x4.splat(x);
}

@inline function relu6(v: v128): v128 {
  return f32x4.min(f32x4.max(v, f4(0)), f4(6));
}

/** g where 0 < a < 6 (the relu6 derivative, as PyTorch's hardtanh_backward), else 0. */
@inline function relu6Mask(g: v128, a: v128): v128 {
  return v128.and(g, v128.and(f32x4.gt(a, f4(0)), f32x4.lt(a, f4(6))));
}

@inline function finish(v: v128, relu: bool, res: usize, out: usize): void {
  let r = relu ? relu6(v) : v;
  if (res) r = f32x4.add(r, v128.load(res));
  v128.store(out, r);
}

/**
 * out = relu6?(bias + conv(in, w)) (+ res): a K x K convolution with explicit symmetric padding.
 * w is [K][K][cin][coutP]; `res` (0 for none) is a tensor shaped like out.
 */
export function convForward(
  inp: usize, H: i32, W: i32, cin: i32, cinP: i32,
  w: usize, b: usize, K: i32, s: i32, pad: i32,
  out: usize, Ho: i32, Wo: i32, coutP: i32, relu: bool, res: usize,
): void {
  const nb = coutP >> 2;
  const row = <usize>coutP << 2;
  for (let oy = 0; oy < Ho; oy++) {
    const y0 = oy * s - pad;
    const ky0 = max(0, -y0);
    const ky1 = min(K, H - y0);
    for (let ox = 0; ox < Wo; ox++) {
      const x0 = ox * s - pad;
      const kx0 = max(0, -x0);
      const kx1 = min(K, W - x0);
      const at = <usize>(oy * Wo + ox) * row;
      let blk = 0;
      while (blk < nb) {
        const left = nb - blk;
        const bo = <usize>blk << 4;
        const o = out + at + bo;
        const r = res ? res + at + bo : 0;
        if (left >= 4) {
          let a0 = v128.load(b + bo), a1 = v128.load(b + bo, 16), a2 = v128.load(b + bo, 32), a3 = v128.load(b + bo, 48);
          for (let ky = ky0; ky < ky1; ky++) {
            for (let kx = kx0; kx < kx1; kx++) {
              let xp = inp + (<usize>((y0 + ky) * W + x0 + kx) * cinP << 2);
              let wp = w + <usize>((ky * K + kx) * cin) * row + bo;
              for (let ci = 0; ci < cin; ci++) {
                const xs = f4(load<f32>(xp));
                a0 = f32x4.add(a0, f32x4.mul(xs, v128.load(wp)));
                a1 = f32x4.add(a1, f32x4.mul(xs, v128.load(wp, 16)));
                a2 = f32x4.add(a2, f32x4.mul(xs, v128.load(wp, 32)));
                a3 = f32x4.add(a3, f32x4.mul(xs, v128.load(wp, 48)));
                xp += 4;
                wp += row;
              }
            }
          }
          finish(a0, relu, r, o);
          finish(a1, relu, r ? r + 16 : 0, o + 16);
          finish(a2, relu, r ? r + 32 : 0, o + 32);
          finish(a3, relu, r ? r + 48 : 0, o + 48);
          blk += 4;
        } else if (left == 3) {
          let a0 = v128.load(b + bo), a1 = v128.load(b + bo, 16), a2 = v128.load(b + bo, 32);
          for (let ky = ky0; ky < ky1; ky++) {
            for (let kx = kx0; kx < kx1; kx++) {
              let xp = inp + (<usize>((y0 + ky) * W + x0 + kx) * cinP << 2);
              let wp = w + <usize>((ky * K + kx) * cin) * row + bo;
              for (let ci = 0; ci < cin; ci++) {
                const xs = f4(load<f32>(xp));
                a0 = f32x4.add(a0, f32x4.mul(xs, v128.load(wp)));
                a1 = f32x4.add(a1, f32x4.mul(xs, v128.load(wp, 16)));
                a2 = f32x4.add(a2, f32x4.mul(xs, v128.load(wp, 32)));
                xp += 4;
                wp += row;
              }
            }
          }
          finish(a0, relu, r, o);
          finish(a1, relu, r ? r + 16 : 0, o + 16);
          finish(a2, relu, r ? r + 32 : 0, o + 32);
          blk += 3;
        } else if (left >= 2) {
          let a0 = v128.load(b + bo), a1 = v128.load(b + bo, 16);
          for (let ky = ky0; ky < ky1; ky++) {
            for (let kx = kx0; kx < kx1; kx++) {
              let xp = inp + (<usize>((y0 + ky) * W + x0 + kx) * cinP << 2);
              let wp = w + <usize>((ky * K + kx) * cin) * row + bo;
              for (let ci = 0; ci < cin; ci++) {
                const xs = f4(load<f32>(xp));
                a0 = f32x4.add(a0, f32x4.mul(xs, v128.load(wp)));
                a1 = f32x4.add(a1, f32x4.mul(xs, v128.load(wp, 16)));
                xp += 4;
                wp += row;
              }
            }
          }
          finish(a0, relu, r, o);
          finish(a1, relu, r ? r + 16 : 0, o + 16);
          blk += 2;
        } else {
          let a0 = v128.load(b + bo);
          for (let ky = ky0; ky < ky1; ky++) {
            for (let kx = kx0; kx < kx1; kx++) {
              let xp = inp + (<usize>((y0 + ky) * W + x0 + kx) * cinP << 2);
              let wp = w + <usize>((ky * K + kx) * cin) * row + bo;
              for (let ci = 0; ci < cin; ci++) {
                a0 = f32x4.add(a0, f32x4.mul(f4(load<f32>(xp)), v128.load(wp)));
                xp += 4;
                wp += row;
              }
            }
          }
          finish(a0, relu, r, o);
          blk += 1;
        }
      }
    }
  }
}

/** First output row/column whose window tap k lands inside the input, and one past the last. */
@inline function tapStart(k: i32, s: i32, pad: i32): i32 {
  let o = 0;
  while (o * s + k - pad < 0) o++;
  return o;
}

@inline function tapEnd(k: i32, s: i32, pad: i32, n: i32, on: i32): i32 {
  let o = on;
  while (o > 0 && (o - 1) * s + k - pad >= n) o--;
  return o;
}

@inline function keep(v: v128, mask: usize, res: usize, out: usize): void {
  let r = v;
  if (res) r = f32x4.add(r, v128.load(res));
  if (mask) r = relu6Mask(r, v128.load(mask));
  v128.store(out, r);
}

/**
 * The gradient with respect to a convolution's input (a transposed convolution), plus `res`
 * (0 for none), then the relu6 mask of `mask` (0 for none). wt is [K][K][cout][cinP].
 */
export function convBackwardData(
  dy: usize, Ho: i32, Wo: i32, cout: i32, coutP: i32,
  wt: usize, K: i32, s: i32, pad: i32,
  dx: usize, H: i32, W: i32, cinP: i32, res: usize, mask: usize,
): void {
  const nb = cinP >> 2;
  const row = <usize>cinP << 2;
  const dyRow = <usize>coutP << 2;
  for (let iy = 0; iy < H; iy++) {
    // Taps ky = ky0, ky0 + s, ... reach output row oy = (iy + pad - ky) / s (no division in the loops).
    let ky0 = (iy + pad) % s;
    let oyTop = (iy + pad - ky0) / s;
    while (oyTop >= Ho && ky0 < K) {
      ky0 += s;
      oyTop--;
    }
    for (let ix = 0; ix < W; ix++) {
      let kx0 = (ix + pad) % s;
      let oxTop = (ix + pad - kx0) / s;
      while (oxTop >= Wo && kx0 < K) {
        kx0 += s;
        oxTop--;
      }
      const at = <usize>(iy * W + ix) * row;
      let blk = 0;
      while (blk < nb) {
        const left = nb - blk;
        const bo = <usize>blk << 4;
        const o = dx + at + bo;
        const r = res ? res + at + bo : 0;
        const m = mask ? mask + at + bo : 0;
        const g = left >= 4 ? 4 : left;
        let a0 = f4(0), a1 = f4(0), a2 = f4(0), a3 = f4(0);
        let oy = oyTop;
        for (let ky = ky0; ky < K && oy >= 0; ky += s) {
          let ox = oxTop;
          for (let kx = kx0; kx < K && ox >= 0; kx += s) {
            let gp = dy + <usize>(oy * Wo + ox) * dyRow;
            let wp = wt + <usize>((ky * K + kx) * cout) * row + bo;
            if (g == 4) {
              for (let co = 0; co < cout; co++) {
                const gs = f4(load<f32>(gp));
                a0 = f32x4.add(a0, f32x4.mul(gs, v128.load(wp)));
                a1 = f32x4.add(a1, f32x4.mul(gs, v128.load(wp, 16)));
                a2 = f32x4.add(a2, f32x4.mul(gs, v128.load(wp, 32)));
                a3 = f32x4.add(a3, f32x4.mul(gs, v128.load(wp, 48)));
                gp += 4;
                wp += row;
              }
            } else if (g == 3) {
              for (let co = 0; co < cout; co++) {
                const gs = f4(load<f32>(gp));
                a0 = f32x4.add(a0, f32x4.mul(gs, v128.load(wp)));
                a1 = f32x4.add(a1, f32x4.mul(gs, v128.load(wp, 16)));
                a2 = f32x4.add(a2, f32x4.mul(gs, v128.load(wp, 32)));
                gp += 4;
                wp += row;
              }
            } else if (g == 2) {
              for (let co = 0; co < cout; co++) {
                const gs = f4(load<f32>(gp));
                a0 = f32x4.add(a0, f32x4.mul(gs, v128.load(wp)));
                a1 = f32x4.add(a1, f32x4.mul(gs, v128.load(wp, 16)));
                gp += 4;
                wp += row;
              }
            } else {
              for (let co = 0; co < cout; co++) {
                a0 = f32x4.add(a0, f32x4.mul(f4(load<f32>(gp)), v128.load(wp)));
                gp += 4;
                wp += row;
              }
            }
            ox--;
          }
          oy--;
        }
        keep(a0, m, r, o);
        if (g >= 2) keep(a1, m ? m + 16 : 0, r ? r + 16 : 0, o + 16);
        if (g >= 3) keep(a2, m ? m + 32 : 0, r ? r + 32 : 0, o + 32);
        if (g == 4) keep(a3, m ? m + 48 : 0, r ? r + 48 : 0, o + 48);
        blk += g;
      }
    }
  }
}

/**
 * Adds this image's weight and bias gradients of a convolution to a gradient slot:
 * dW[ky][kx][ci][co] += sum over output pixels of in[...][ci] * dy[...][co]; dB[co] += sum of dy.
 */
export function convWeightGrad(
  inp: usize, H: i32, W: i32, cin: i32, cinP: i32,
  dy: usize, Ho: i32, Wo: i32, coutP: i32, K: i32, s: i32, pad: i32,
  dw: usize, db: usize,
): void {
  const nb = coutP >> 2;
  const row = <usize>coutP << 2;
  for (let ky = 0; ky < K; ky++) {
    const oy0 = tapStart(ky, s, pad);
    const oy1 = tapEnd(ky, s, pad, H, Ho);
    for (let kx = 0; kx < K; kx++) {
      const ox0 = tapStart(kx, s, pad);
      const ox1 = tapEnd(kx, s, pad, W, Wo);
      for (let ci = 0; ci < cin; ci++) {
        const wrow = dw + <usize>((ky * K + kx) * cin + ci) * row;
        let blk = 0;
        while (blk < nb) {
          const left = nb - blk;
          const g = left >= 4 ? 4 : left;
          const bo = <usize>blk << 4;
          let a0 = f4(0), a1 = f4(0), a2 = f4(0), a3 = f4(0);
          for (let oy = oy0; oy < oy1; oy++) {
            let xp = inp + ((<usize>(((oy * s + ky - pad) * W + ox0 * s + kx - pad) * cinP + ci)) << 2);
            const xStep = <usize>(s * cinP) << 2;
            let gp = dy + <usize>(oy * Wo + ox0) * row + bo;
            if (g == 4) {
              for (let ox = ox0; ox < ox1; ox++) {
                const xs = f4(load<f32>(xp));
                a0 = f32x4.add(a0, f32x4.mul(xs, v128.load(gp)));
                a1 = f32x4.add(a1, f32x4.mul(xs, v128.load(gp, 16)));
                a2 = f32x4.add(a2, f32x4.mul(xs, v128.load(gp, 32)));
                a3 = f32x4.add(a3, f32x4.mul(xs, v128.load(gp, 48)));
                xp += xStep;
                gp += row;
              }
            } else if (g == 3) {
              for (let ox = ox0; ox < ox1; ox++) {
                const xs = f4(load<f32>(xp));
                a0 = f32x4.add(a0, f32x4.mul(xs, v128.load(gp)));
                a1 = f32x4.add(a1, f32x4.mul(xs, v128.load(gp, 16)));
                a2 = f32x4.add(a2, f32x4.mul(xs, v128.load(gp, 32)));
                xp += xStep;
                gp += row;
              }
            } else if (g == 2) {
              for (let ox = ox0; ox < ox1; ox++) {
                const xs = f4(load<f32>(xp));
                a0 = f32x4.add(a0, f32x4.mul(xs, v128.load(gp)));
                a1 = f32x4.add(a1, f32x4.mul(xs, v128.load(gp, 16)));
                xp += xStep;
                gp += row;
              }
            } else {
              for (let ox = ox0; ox < ox1; ox++) {
                a0 = f32x4.add(a0, f32x4.mul(f4(load<f32>(xp)), v128.load(gp)));
                xp += xStep;
                gp += row;
              }
            }
          }
          const wp = wrow + bo;
          v128.store(wp, f32x4.add(v128.load(wp), a0));
          if (g >= 2) v128.store(wp, f32x4.add(v128.load(wp, 16), a1), 16);
          if (g >= 3) v128.store(wp, f32x4.add(v128.load(wp, 32), a2), 32);
          if (g == 4) v128.store(wp, f32x4.add(v128.load(wp, 48), a3), 48);
          blk += g;
        }
      }
    }
  }
  const n = Ho * Wo;
  for (let blk = 0; blk < nb; blk++) {
    const bo = <usize>blk << 4;
    let a = f4(0);
    let gp = dy + bo;
    for (let p = 0; p < n; p++) {
      a = f32x4.add(a, v128.load(gp));
      gp += row;
    }
    v128.store(db + bo, f32x4.add(v128.load(db + bo), a));
  }
}

/** This image's per-channel sum and sum of squared deviations from its own mean. */
export function channelMoments(e: usize, hw: i32, cP: i32, sum: usize, m2: usize): void {
  const row = <usize>cP << 2;
  for (let blk = 0; blk < cP >> 2; blk++) {
    const bo = <usize>blk << 4;
    let s = f4(0);
    let p = e + bo;
    for (let i = 0; i < hw; i++) {
      s = f32x4.add(s, v128.load(p));
      p += row;
    }
    const mean = f32x4.div(s, f4(<f32>hw));
    let q = f4(0);
    p = e + bo;
    for (let i = 0; i < hw; i++) {
      const d = f32x4.sub(v128.load(p), mean);
      q = f32x4.add(q, f32x4.mul(d, d));
      p += row;
    }
    v128.store(sum + bo, s);
    v128.store(m2 + bo, q);
  }
}

/** u = e * scale + shift, per channel. */
export function affine(e: usize, hw: i32, cP: i32, scale: usize, shift: usize, u: usize): void {
  const nb = cP >> 2;
  for (let i = 0; i < hw; i++) {
    for (let blk = 0; blk < nb; blk++) {
      const bo = (<usize>(i * cP) << 2) + (<usize>blk << 4);
      const sb = <usize>blk << 4;
      v128.store(u + bo, f32x4.add(f32x4.mul(v128.load(e + bo), v128.load(scale + sb)), v128.load(shift + sb)));
    }
  }
}

/** This image's per-channel sums of dy and (e - mean) * dy (BatchNorm's bias gradient and dot product). */
export function batchNormGradSums(dy: usize, e: usize, hw: i32, cP: i32, mean: usize, sumDy: usize, dot: usize): void {
  const row = <usize>cP << 2;
  for (let blk = 0; blk < cP >> 2; blk++) {
    const bo = <usize>blk << 4;
    const m = v128.load(mean + bo);
    let s = f4(0);
    let d = f4(0);
    let gp = dy + bo;
    let ep = e + bo;
    for (let i = 0; i < hw; i++) {
      const g = v128.load(gp);
      s = f32x4.add(s, g);
      d = f32x4.add(d, f32x4.mul(f32x4.sub(v128.load(ep), m), g));
      gp += row;
      ep += row;
    }
    v128.store(sumDy + bo, s);
    v128.store(dot + bo, d);
  }
}

/**
 * BatchNorm's input gradient in PyTorch's order, dx = (dy - gradMean - (e - mean) * proj) * invStd * gamma,
 * masked by the relu6 that produced e.
 */
export function batchNormBackwardData(dy: usize, e: usize, hw: i32, cP: i32, stats: usize, dx: usize): void {
  const nb = cP >> 2;
  const v = <usize>cP << 2;
  for (let i = 0; i < hw; i++) {
    for (let blk = 0; blk < nb; blk++) {
      const bo = (<usize>(i * cP) << 2) + (<usize>blk << 4);
      const sb = stats + (<usize>blk << 4);
      const a = v128.load(e + bo);
      const centred = f32x4.mul(f32x4.sub(a, v128.load(sb, 0)), v128.load(sb + 5 * v));
      const g = f32x4.sub(f32x4.sub(v128.load(dy + bo), v128.load(sb + 4 * v)), centred);
      const r = f32x4.mul(f32x4.mul(g, v128.load(sb + v)), v128.load(sb + 6 * v));
      v128.store(dx + bo, relu6Mask(r, a));
    }
  }
}
