/**
 * CSV downloads (RFC 4180, CRLF), the one writer every export uses. Text cells that a spreadsheet
 * would run as a formula — starting with `=`, `+`, `-`, `@` (or their full-width forms), tab or
 * CR, also after leading spaces — get a leading `'` (formula injection, OWASP). Numbers are
 * written as numbers and never prefixed, so a negative amount (`-1250`) stays a number; a
 * number-looking *string* (`"-12.50"`) is text and is prefixed.
 */
const FORMULA_START = /^[ \u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/;

/** One cell: text with a formula start defused, quoted when it holds a quote, comma or line break. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const isMoney = (v: unknown): v is { amount: number; currency: string } => typeof v === 'object' && v !== null && 'amount' in v && 'currency' in v;

/** Flattens a row: nested objects become `parent_child` columns, money `x` and `x_currency`, money lists `amount currency; …`. */
function flatten(row: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const name = prefix + k;
    if (isMoney(v)) Object.assign(out, { [name]: v.amount, [`${name}_currency`]: v.currency });
    else if (Array.isArray(v)) out[name] = v.map((m) => (isMoney(m) ? `${m.amount} ${m.currency}` : String(m))).join('; ');
    else if (typeof v === 'object' && v !== null) Object.assign(out, flatten(v as Record<string, unknown>, `${name}_`));
    else out[name] = v;
  }
  return out;
}

/** Rows (objects; nested ones flattened) as a CSV document with a header row of every column seen. */
export function toCsv(list: object[]): string {
  const flat = list.map((r) => flatten(r as Record<string, unknown>));
  const header = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  return [header.map(csvCell).join(','), ...flat.map((r) => header.map((h) => csvCell(r[h])).join(','))].join('\r\n') + '\r\n';
}
