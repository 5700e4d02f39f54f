/**
 * Seeded randomness for every generator of synthetic runs (sample runs, synthetic corpus, bench,
 * the test toy model), so that a seed means the same bytes everywhere.
 */

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 32-bit FNV-1a over the UTF-16 code units of `text`, continuing from `hash`: turns a name into a
 * seed, and chains (pass the previous hash) into longer stand-in digests.
 */
export function fnv1a(text: string, hash = 0x811c9dc5): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A standard normal draw (Box–Muller, two draws); the first is floored so that log(0) cannot occur. */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}
