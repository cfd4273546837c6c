import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mergeCatalogs, type Messages } from '../../web/src/i18n/merge.js';

/**
 * Issue 9: the en and zh-CN catalogs are complete and agree, and every key the web app names
 * exists. (Hard-coded strings in components are caught by ESLint's i18next/no-literal-string.)
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEB_SRC = path.join(ROOT, 'web', 'src');
const LOCALES_DIR = path.join(WEB_SRC, 'i18n', 'locales');
const LOCALES = ['en', 'zh-CN'] as const;
/** Values that are the same in every language on purpose (brand names). */
const SAME_IN_ALL_LANGUAGES = new Set(['app.name']);

type Catalog = Map<string, unknown>;

/** i18next plural forms: `key_one`, `key_other`, … are one message, `key`, chosen by `count`. */
const PLURAL = /_(zero|one|two|few|many|other)$/;
const pluralBase = (key: string) => key.replace(PLURAL, '');

function flatten(obj: unknown, prefix = '', out: Catalog = new Map()): Catalog {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, obj);
  }
  return out;
}

const duplicates: Record<string, string[]> = {};
function load(locale: string): Catalog {
  const dir = path.join(LOCALES_DIR, locale);
  const parts = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Messages]),
  );
  duplicates[locale] = [];
  return flatten(mergeCatalogs(parts, duplicates[locale]));
}
const catalogs = Object.fromEntries(LOCALES.map((l) => [l, load(l)])) as Record<(typeof LOCALES)[number], Catalog>;

/** `{{name}}`, `{{ count, number }}` and `$t(other.key)` references, sorted. */
function placeholders(value: string): string[] {
  const vars = [...value.matchAll(/{{\s*([\w.]+)\s*(?:,[^}]*)?}}/g)].map((m) => `{{${m[1]}}}`);
  const nested = [...value.matchAll(/\$t\(\s*([\w.-]+)/g)].map((m) => `$t(${m[1]})`);
  return [...vars, ...nested].sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

describe('i18n catalogs', () => {
  it('define each key in one file only', () => {
    for (const locale of LOCALES) expect(duplicates[locale], locale).toEqual([]);
  });

  it('have the same keys in every language (plural forms as each language needs them)', () => {
    const [first, ...rest] = LOCALES;
    const bases = (l: (typeof LOCALES)[number]) => new Set([...catalogs[l].keys()].map(pluralBase));
    for (const other of rest) {
      const a = bases(first);
      const b = bases(other);
      expect([...b].filter((k) => !a.has(k)), `keys only in ${other}`).toEqual([]);
      expect([...a].filter((k) => !b.has(k)), `keys missing from ${other}`).toEqual([]);
    }
    // A counted message has the forms its language needs: English one and other, Chinese other.
    for (const [key] of catalogs.en) if (key.endsWith('_one')) expect(catalogs.en.has(key.replace(/_one$/, '_other')), key).toBe(true);
    for (const [key] of catalogs['zh-CN']) if (PLURAL.test(key)) expect(key.endsWith('_other'), key).toBe(true);
  });

  it('have a non-empty string for every key', () => {
    for (const locale of LOCALES) {
      const bad = [...catalogs[locale]].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
      expect(bad, `empty or non-string values in ${locale}`).toEqual([]);
    }
  });

  it('use the same interpolation variables in every language', () => {
    const mismatches: string[] = [];
    for (const [key, en] of catalogs.en) {
      for (const locale of LOCALES.slice(1)) {
        const other = catalogs[locale].get(key);
        if (typeof en !== 'string' || typeof other !== 'string') continue;
        const a = placeholders(en).join(' ');
        const b = placeholders(other).join(' ');
        if (a !== b) mismatches.push(`${key}: en [${a}] vs ${locale} [${b}]`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('are translated (zh-CN differs from English except for names)', () => {
    const untranslated = [...catalogs.en]
      .filter(([k, v]) => !SAME_IN_ALL_LANGUAGES.has(k) && catalogs['zh-CN'].get(k) === v)
      .map(([k]) => k);
    expect(untranslated).toEqual([]);
  });

  it('contain every key the web app uses', () => {
    const namespaces = new Set([...catalogs.en.keys()].map((k) => k.split('.')[0]));
    const missing: string[] = [];
    let found = 0;
    for (const file of sourceFiles(WEB_SRC)) {
      const text = readFileSync(file, 'utf8');
      const keys = new Set<string>();
      // t('key'), t("key"), i18n.t('key'), i18nKey="key"
      for (const m of text.matchAll(/\bt\(\s*(['"])([^'"]+)\1/g)) keys.add(m[2]!);
      for (const m of text.matchAll(/i18nKey=(['"])([^'"]+)\1/g)) keys.add(m[2]!);
      // Keys passed around as data ({ labelKey: 'nav.feed' }, return 'validation.emailRequired').
      for (const m of text.matchAll(/(['"])([a-z][\w-]*(?:\.[\w-]+)+)\1/g)) {
        if (namespaces.has(m[2]!.split('.')[0]!)) keys.add(m[2]!);
      }
      for (const key of keys) {
        found++;
        if (!catalogs.en.has(key) && !catalogs.en.has(`${key}_other`)) missing.push(`${path.relative(ROOT, file)}: ${key}`);
      }
    }
    expect(found).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('translate every error code the server raises, but for the internal ones no person meets in the web app', () => {
    // Ledger internals (refused before any person sees them) and API parameters the web app always sends right.
    const internal = new Set([
      'amount_overflow', 'bad_request', 'batch_too_large', 'device_required', 'insufficient_funds', 'invalid_account', 'invalid_bands',
      'invalid_cursor', 'invalid_entry', 'invalid_entry_kind', 'invalid_holder', 'invalid_idempotency_key', 'invalid_limit', 'invalid_posting',
      'invalid_role', 'invalid_ttl', 'invalid_weights', 'too_few_postings', 'too_many_postings', 'unbalanced_entry',
    ]);
    const raised = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (/\.ts$/.test(name) && !/\.test\.ts$/.test(name) && !file.includes(`${path.sep}test${path.sep}`)) {
          for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:badRequest|conflict|notFound|forbidden|unprocessable|unauthorized|paymentRequired|tooManyRequests)\(\s*'([a-z][a-z0-9_]*)'/g)) raised.add(m[1]!);
        }
      }
    };
    walk(path.join(ROOT, 'src'));
    expect(raised.size).toBeGreaterThan(80);
    for (const locale of LOCALES) {
      const missing = [...raised].filter((code) => !internal.has(code) && !catalogs[locale].has(`errors.${code}`)).sort();
      expect(missing, locale).toEqual([]);
    }
  });

  it('translate every API error code the web app knows, with a generic fallback', () => {
    for (const locale of LOCALES) {
      for (const code of ['generic', 'invalid_credentials', 'email_taken', 'validation_failed', 'rate_limited', 'unauthorized', 'forbidden', 'network_error']) {
        expect(catalogs[locale].has(`errors.${code}`), `${locale}: errors.${code}`).toBe(true);
      }
      expect(catalogs[locale].get('errors.generic')).toContain('{{code}}');
    }
  });
});
