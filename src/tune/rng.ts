/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32), so that a search
 * draws the same trials for the same seed in every browser, Worker and Node.
 */

/** A seeded source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/** splitmix32: spreads a 32-bit seed into well-mixed words for sfc32's state. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

/** sfc32 seeded from a 32-bit integer; `next()` is uniform in [0, 1) with 32 bits of resolution. */
export function createRng(seed: number): Rng {
  const mix = splitmix32(seed);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i += 1) next();
  return { next };
}
