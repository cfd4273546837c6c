#!/usr/bin/env node
// `npm ci` refuses a lockfile that lacks an entry for any optional dependency of a locked package.
// The registry mirror these machines use does not serve every platform build (rollup's android,
// musl and other native packages are missing), so `npm install` leaves those entries out and the
// next `npm ci` fails. This script adds each missing platform package as an optional entry with
// the os/cpu/libc read from its name, so `npm ci` skips it on any other platform — the same
// entry the public registry would have produced. Run it after changing dependencies;
// `node scripts/complete-lockfile.mjs --check` (part of `npm test`) fails when one is missing.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const lockPath = fileURLToPath(new URL('../package-lock.json', import.meta.url));
const OS = new Set(['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'netbsd', 'sunos', 'aix', 'win32']);
const CPU = new Set(['arm', 'arm64', 'ia32', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x', 'x64']);

/** os/cpu/libc from a platform package name such as `@rollup/rollup-linux-arm-musleabihf`. */
export function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const osIndex = parts.findIndex((part) => OS.has(part));
  if (osIndex < 0 || !CPU.has(parts[osIndex + 1])) return {};
  const abi = parts[osIndex + 2] ?? '';
  const libc = abi.startsWith('gnu') ? ['glibc'] : abi.startsWith('musl') ? ['musl'] : undefined;
  return { cpu: [parts[osIndex + 1]], ...(libc ? { libc } : {}), os: [parts[osIndex]] };
}

export function missingOptionalEntries(lock) {
  const added = {};
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
      const base = path === '' ? '' : `${path}/`;
      const candidates = [`${base}node_modules/${dep}`, `node_modules/${dep}`];
      if (candidates.some((candidate) => lock.packages[candidate] || added[candidate])) continue;
      const version = range.replace(/^[\^~=]/, '');
      // Keys in npm's own order: version first, the rest alphabetical.
      const rest = { ...platformOf(dep), ...(entry.dev ? { dev: true } : {}), optional: true };
      added[`node_modules/${dep}`] = {
        version,
        ...Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))),
      };
    }
  }
  return added;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  const missing = missingOptionalEntries(lock);
  const names = Object.keys(missing);
  if (process.argv.includes('--check')) {
    if (names.length > 0) {
      console.error(`package-lock.json lacks ${names.length} optional platform entries (${names[0]} …); npm ci would refuse it.`);
      console.error('Run: node scripts/complete-lockfile.mjs');
      process.exit(1);
    }
  } else {
    const packages = { ...lock.packages, ...missing };
    const [root, ...rest] = Object.keys(packages);
    lock.packages = Object.fromEntries([root, ...rest.sort()].map((key) => [key, packages[key]]));
    writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
    console.log(names.length ? `added ${names.length} optional platform entries` : 'lockfile complete');
  }
}
