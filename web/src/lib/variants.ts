import type { Variant } from './commerce';

/** The distinct values of option `index`, in the order the variants list them. */
export function optionValues(variants: Variant[], index: number): string[] {
  return [...new Set(variants.map((v) => v.option_values[index]).filter((v): v is string => v !== undefined))];
}

export function findVariant(variants: Variant[], selection: string[]): Variant | undefined {
  return variants.find((v) => v.option_values.length === selection.length && v.option_values.every((x, i) => x === selection[i]));
}

/** Start on the first variant in stock (or the first one). */
export function initialSelection(variants: Variant[]): string[] {
  return [...((variants.find((v) => v.available > 0) ?? variants[0])?.option_values ?? [])];
}

/**
 * Picks `value` for option `index`. When that combination does not exist, moves to the first
 * variant having the value (preferring one in stock), so the selection always names a variant.
 */
export function choose(variants: Variant[], selection: string[], index: number, value: string): string[] {
  const next = selection.map((v, i) => (i === index ? value : v));
  if (findVariant(variants, next)) return next;
  const withValue = variants.filter((v) => v.option_values[index] === value);
  const best = withValue.find((v) => v.available > 0) ?? withValue[0];
  return best ? [...best.option_values] : next;
}

/** Whether picking `value` for option `index` (keeping the others) leads to a variant in stock. */
export function valueAvailable(variants: Variant[], selection: string[], index: number, value: string): boolean {
  const exact = findVariant(
    variants,
    selection.map((v, i) => (i === index ? value : v)),
  );
  if (exact) return exact.available > 0;
  return variants.some((v) => v.option_values[index] === value && v.available > 0);
}
