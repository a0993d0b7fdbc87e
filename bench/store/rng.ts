// The generator's PRNG: sfc32 seeded through splitmix32 (small, fast, good statistical quality for
// this use), one stream per (seed, run index), and the draws built on it. Not common/random.ts's
// mulberry32: a run's values come from its own stream, so they do not depend on the runs before
// it, and the cached stores (bench/.cache) and past results stay those of the same data.

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

export function createRng(seed: number, stream = 0): () => number {
  const mix = splitmix32((seed * 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

export function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

export function gauss(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export function hex(rng: () => number, n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(rng() * 0x10000).toString(16).padStart(4, '0');
  return s.slice(0, n);
}

export function runIdFor(rng: () => number): string {
  const h = hex(rng, 32).split('');
  h[12] = '4';
  h[16] = '89ab'[parseInt(h[16] as string, 16) & 3] as string;
  return h.join('');
}

/** Round to `digits` significant digits, the way people write hyper-parameters (3e-4, 0.0015). */
export function sig(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}
