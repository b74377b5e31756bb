/**
 * Seeded drawing and shuffling for attempts. An attempt stores its seed, so its question
 * order and option order can be rebuilt exactly on resume, on any process.
 */

const MULBERRY32_STEP = 0x6d2b79f5;

/** mulberry32's output for one state: a number in [0, 1). */
function mulberry32(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** mulberry32: tiny, fast, good enough to shuffle a quiz (not for secrets). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + MULBERRY32_STEP) >>> 0;
    return mulberry32(a);
  };
}

/** FNV-1a over a string, mixed with a seed: a per-question stream from one attempt seed. */
export function mixSeed(seed: number, s: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Fisher-Yates over the first `n` items of `a`, in place (a typed array too: the submit's
 * fast path shuffles each question's options here), drawing prng(seed)'s numbers without
 * making a closure for them: the grading of a submit shuffles once per question.
 */
export function shuffleInPlace<T>(a: { [i: number]: T }, n: number, seed: number): void {
  let state = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (state + MULBERRY32_STEP) >>> 0;
    const j = Math.floor(mulberry32(state) * (i + 1));
    const tmp = a[i];
    a[i] = a[j];
    a[j] = tmp;
  }
}

/** Fisher-Yates on a copy. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  shuffleInPlace(out, out.length, seed);
  return out;
}

/** `count` distinct ids of the pool in a seeded random order (the attempt's question order). */
export function drawQuestions(poolIds: readonly string[], count: number, seed: number): string[] {
  if (count > poolIds.length) throw new RangeError(`cannot draw ${count} of a pool of ${poolIds.length}`);
  // Sorted first so the draw depends on the seed and the pool's content, not on how the
  // pool happened to be read.
  return shuffle([...poolIds].sort(), seed).slice(0, count);
}

/** The options of one question in the attempt's order. */
export function shuffleOptions<T extends { id: string }>(options: readonly T[], seed: number, questionId: string): T[] {
  return shuffle(
    [...options].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    mixSeed(seed, questionId),
  );
}

/** A seed that fits the attempts.seed integer column. */
export function newSeed(random: () => number = Math.random): number {
  return Math.floor(random() * 2147483647);
}
