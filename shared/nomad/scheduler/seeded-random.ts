/**
 * The random source of one evaluation's node walk, seeded by a string (the evaluation's ID and
 * its plan attempt), as Nomad seeds its per-plan node shuffle: two workers scheduling different
 * evaluations at once walk the nodes in unrelated orders and rarely race for the same node,
 * while running the same evaluation again walks them in the same order, so a retried or
 * redelivered evaluation is reproducible.
 *
 * FNV-1a folds the seed to 32 bits; mulberry32 draws from it (uniform in [0, 1)).
 */
export function seededRandom(seed: string): () => number {
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 0x01000193);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
