#!/usr/bin/env node
// `npm test`: installs missing system packages, then lint, type checks, web build, and the
// Vitest suite (on PGlite and on a throwaway PostgreSQL cluster, plus browser tests).
// Extra arguments go to Vitest, e.g. `npm test -- --project pglite src/modules/ledger`.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const quick = args.length > 0; // a focused run skips the whole-repo checks
const steps = [
  ['system packages', 'bash', ['scripts/ensure-system-deps.sh']],
  ...(quick
    ? []
    : [
        ['lockfile', 'node', ['scripts/complete-lockfile.mjs', '--check']],
        ['lint', 'npx', ['eslint', '.']],
        ['module graph', 'npx', ['tsx', 'scripts/modules.ts']],
        ['typecheck (server)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
        ['typecheck (web)', 'npx', ['tsc', '-p', 'web/tsconfig.json', '--noEmit']],
      ]),
  ['web build', 'npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']],
  ['tests', 'npx', ['vitest', 'run', ...args]],
];

for (const [name, cmd, cmdArgs] of steps) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
