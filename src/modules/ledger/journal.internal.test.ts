import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every .ts file under `dir` (node_modules and build output left out). */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

describe('ledger journal is internal', () => {
  it('no file outside src/modules/ledger imports the generic postEntry/transfer (only the named entry functions)', () => {
    const root = join(import.meta.dirname, '../../..');
    const offenders = ['src', 'bench', 'scripts']
      .flatMap((d) => sources(join(root, d)))
      .filter((f) => !relative(root, f).startsWith(join('src', 'modules', 'ledger')))
      .filter((f) => /from\s+['"][^'"]*ledger\/journal(\.js)?['"]/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
