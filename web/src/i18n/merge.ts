/**
 * Each language's catalog is split into files by feature (locales/<lang>/<feature>.json) so
 * features can be added without touching one big file. They are merged key by key; a key
 * defined in two files is a mistake, reported by `duplicates`.
 */
export type Messages = { [key: string]: string | Messages };

export function mergeCatalogs(parts: Record<string, Messages>, duplicates: string[] = []): Messages {
  const out: Messages = {};
  const merge = (into: Messages, from: Messages, prefix: string) => {
    for (const [k, v] of Object.entries(from)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const existing = into[k];
      if (typeof v === 'object' && v !== null) {
        if (existing === undefined) into[k] = {};
        else if (typeof existing === 'string') {
          duplicates.push(key);
          continue;
        }
        merge(into[k] as Messages, v, key);
      } else if (existing !== undefined) duplicates.push(key);
      else into[k] = v;
    }
  };
  for (const name of Object.keys(parts).sort()) merge(out, parts[name]!, '');
  return out;
}
