// Small deterministic randomness for tests and benchmarks. Math.random is never used in test support,
// so a failing run can be replayed from its seed.

/** mulberry32: a tiny 32-bit PRNG; good enough for fault and latency draws, and fully reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** cyrb53 string hash: 53 well-mixed bits, so nearby keys ("a.ts#1", "a.ts#2") draw unrelated values. */
function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * A uniform draw in [0, 1) that depends only on (seed, key), never on call order. Use it wherever
 * concurrency could reorder calls and the result must still be the same on every run.
 */
export function keyedUniform(seed: number, key: string): number {
  return hashString(key, seed >>> 0) / 2 ** 53;
}

/** Standard normal from two uniforms (Box–Muller). `u1` is clamped away from 0 so log() stays finite. */
export function normalFromUniforms(u1: number, u2: number): number {
  const safeU1 = Math.max(u1, Number.EPSILON);
  return Math.sqrt(-2 * Math.log(safeU1)) * Math.cos(2 * Math.PI * u2);
}
