/**
 * Link detection speed: `findLinks` over 10,000 texts (the hand-written corpus, the generated
 * corpus of every kind of evasion and texts without links, repeated), median of 5 runs after a
 * warm-up, in CPU time of this process (so other processes on the machine do not count). Decision 010 keeps it within 2× of the detector before the kinds rework
 * (figures in docs/decisions/010-link-detection.md).
 *
 *   npx tsx bench/links.ts
 */
import corpus from '../src/modules/links/corpus.json' with { type: 'json' };
import { generateCorpus, generateNegatives } from '../src/modules/links/corpus-gen.js';
import { findLinks } from '../src/modules/links/detect.js';
import { invokedDirectly } from './cli.js';

export function run(count = 10_000): { texts: number; ms: number; usPerText: number } {
  const pool = [...corpus.map((c) => c.text), ...generateCorpus(1, 20, 0).map((c) => c.text), ...generateNegatives(2, 40).map((c) => c.text)];
  const texts = Array.from({ length: count }, (_, i) => pool[i % pool.length]!);
  for (const t of texts.slice(0, 2000)) findLinks(t);
  const runs: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = process.cpuUsage();
    for (const t of texts) findLinks(t, { allowedDomains: ['loopshop.dev'] });
    const used = process.cpuUsage(t0);
    runs.push((used.user + used.system) / 1000);
  }
  const ms = runs.sort((a, b) => a - b)[2]!;
  return { texts: count, ms: Math.round(ms), usPerText: Math.round((ms * 1000) / count) };
}

if (invokedDirectly(import.meta.url)) console.log(run());
