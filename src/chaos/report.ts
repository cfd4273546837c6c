import type { RunResult } from './workload.js';

/** A run's outcome for people: PASS/FAIL, what it did, and on failure the problems and the replay command. */
export function formatResult(r: RunResult): string {
  const lines = [
    `${r.ok ? 'PASS' : 'FAIL'} seed ${r.seed}${r.servers > 1 ? ` on ${r.servers} servers` : ''}: ${r.rounds} rounds in ${(r.elapsedMs / 1000).toFixed(0)} s; server start ${r.startupMs.map((m) => `${m} ms`).join(', ')}`,
    `  database: ${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  clients:  ${Object.entries(r.stats).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  if (!r.ok) {
    lines.push(`  ${r.problems.length} problem(s):`, ...r.problems.slice(0, 60).map((p) => `   - ${p}`));
    lines.push(`  replay: ${r.replay}`);
  }
  return lines.join('\n');
}
