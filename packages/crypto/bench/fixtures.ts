/** Deterministic JSON documents for the canonicalize benchmarks (no I/O, same bytes every run). */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // xorshift32: fast and reproducible; quality is irrelevant here.
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const words = [
  'alpha',
  'bravo',
  'charlie',
  'délta',
  'echo',
  'foxtrot',
  'golf',
  'hôtel',
  'india',
  'juliett',
  '日本',
];

function record(next: () => number, i: number): Record<string, unknown> {
  const pick = () => words[Math.floor(next() * words.length)]!;
  return {
    id: `req-${i}-${Math.floor(next() * 1e9).toString(36)}`,
    workspaceName: pick(),
    enforcerId: `enf-${pick()}`,
    command: `${pick()} --filter ${pick()} "quoted\\path"\n`,
    timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    amount: Math.round(next() * 1e6) / 100,
    count: Math.floor(next() * 1000),
    ratio: next(),
    approved: next() > 0.5,
    reason: next() > 0.7 ? null : pick(),
    tags: [pick(), pick(), pick()],
    metadata: { routingToken: `rt-${i}`, labels: { b: pick(), a: pick(), c: i } },
  };
}

/** A JSON value whose `JSON.stringify` is roughly `bytes` long. */
export function makeDocument(bytes: number, seed = 42): unknown {
  const next = rng(seed);
  const items: unknown[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const r = record(next, i);
    size += JSON.stringify(r).length + 1;
    items.push(r);
  }
  return { version: 1, items, summary: { count: items.length, generatedBy: 'bench' } };
}
