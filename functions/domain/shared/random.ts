/**
 * mulberry32: a tiny seeded 32-bit generator, uniform in [0, 1). Seeded randomness makes
 * model training, samples and simulations repeatable run to run; quality is ample for
 * shuffles, initial factors and samples (not for anything secret). Written here because it
 * is ten lines and each of Score, Recommend and Campaigns needs the same one.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
