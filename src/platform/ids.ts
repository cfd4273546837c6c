import { monotonicFactory } from 'ulidx';

/**
 * Prefixed, time-sortable ids: `ord_01JD3…`. The ULID part sorts by creation time and is
 * monotonic within one process, so ids double as stable pagination cursors.
 */
const ulid = monotonicFactory();

export const ID_PREFIXES = [
  'usr', 'ses', 'shp', 'job', 'idm', 'led', 'pst', 'wh',
  'prd', 'sku', 'vid', 'ord', 'pay', 'crt', 'evt', 'inv', 'app', 'mkt', 'ntf', 'aud',
  'res', 'oit', 'oev', 'rfd', 'anc', 'cti', 'whe', 'med', 'chk', 'spm', 'tev', 'slb', 'ffl', 'hld', 'cmr', 'stl', 'pyo', 'cas', 'cev', 'evd', 'sof', 'inb', 'doc', 'aev', 'imp', 'clk',
  'sac', 'rvw',
  'liv', 'dom',
] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}

const ID_RE = /^([a-z]{2,4})_[0-9a-hjkmnp-tv-z]{26}$/;
export function isId(value: string, prefix?: IdPrefix): boolean {
  const m = ID_RE.exec(value);
  return m !== null && (prefix === undefined || m[1] === prefix);
}
