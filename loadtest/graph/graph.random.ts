/**
 * Seeded pseudo-random numbers for the synthetic graph. Math.random cannot be seeded, and the graph must be
 * identical for a given seed on every machine and Node version, so the generator is written out here: sfc32
 * (small, fast, passes PractRand to 2^40+), seeded through splitmix32 so nearby seeds give unrelated streams.
 */
export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform in [0, 1). */
  next(): number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

/** FNV-1a of the stream name: each purpose (follow counts, tokens, posts…) gets its own independent stream,
 * so changing one parameter (say posts per user) does not reshuffle the follow graph. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function createRng(seed: number, stream = ''): Rng {
  const mix = splitmix32((seed >>> 0) ^ Math.imul(hashName(stream), 0x9e3779b1));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix() | 1;
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) uint32(); // discard the first outputs, which still correlate with the seed
  return { uint32, next: () => uint32() / 4294967296 };
}

/** Standard normal by Box–Muller (one value per call keeps the stream position simple to reason about). */
export function normal(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Log-normal with the given arithmetic mean: exp(N(mu, sigma)) has mean exp(mu + sigma²/2). */
export function logNormal(rng: Rng, mean: number, sigma: number): number {
  return Math.exp(Math.log(mean) - (sigma * sigma) / 2 + sigma * normal(rng));
}

/** Fisher–Yates shuffle of 0..n-1. */
export function permutation(rng: Rng, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** Cumulative weights, for drawing index i with probability weights[i] / total by binary search. */
export function cumulative(weights: ArrayLike<number>): Float64Array {
  const cdf = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) cdf[i] = sum += weights[i];
  return cdf;
}

/** Smallest i with cdf[i] > u * total. */
export function drawIndex(cdf: Float64Array, rng: Rng): number {
  const target = rng.next() * cdf[cdf.length - 1];
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
