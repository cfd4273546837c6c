import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the benchmarks share: percentiles and their command line when run alone (`npx tsx bench/<name>.ts`). */

/** The p-th percentile (0–100) of an ascending list; 0 for an empty one. */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Whether the module with this `import.meta.url` is the script node was started with. */
export const invokedDirectly = (moduleUrl: string) => process.argv[1] !== undefined && moduleUrl === pathToFileURL(path.resolve(process.argv[1])).href;

/** The value after `--<name>` on the command line, if given. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** The number after `--<name>`, if given. */
export function argNumber(name: string): number | undefined {
  const v = argValue(name);
  return v === undefined || v === '' ? undefined : Number(v);
}
