import type { ShippingAddress } from './commerce';

export type AddressForm = Required<ShippingAddress>;

export const EMPTY_ADDRESS: AddressForm = { name: '', line1: '', line2: '', city: '', region: '', postal_code: '', country: 'US', phone: '' };

/** Countries offered in the address form (ISO 3166-1 alpha-2); names come from Intl.DisplayNames. */
export const COUNTRIES = ['US', 'CA', 'GB', 'IE', 'DE', 'FR', 'ES', 'IT', 'NL', 'AU', 'NZ', 'JP', 'KR', 'SG', 'HK', 'CN', 'MX', 'BR'] as const;

const MAX: Partial<Record<keyof AddressForm, number>> = { name: 100, line1: 200, line2: 200, city: 100, region: 100, postal_code: 20, phone: 30 };

/** Translation keys of the problems, per field. */
export function checkAddress(a: AddressForm): Partial<Record<keyof AddressForm, string>> {
  const errors: Partial<Record<keyof AddressForm, string>> = {};
  for (const field of ['name', 'line1', 'city', 'postal_code'] as const) {
    if (!a[field].trim()) errors[field] = `checkout.address.errors.${field}Required`;
  }
  for (const [field, max] of Object.entries(MAX) as [keyof AddressForm, number][]) {
    if (!errors[field] && a[field].length > max) errors[field] = 'checkout.address.errors.tooLong';
  }
  if (!errors.postal_code && !/^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/.test(a.postal_code.trim())) errors.postal_code = 'checkout.address.errors.postalInvalid';
  if (a.country === 'US' && !errors.postal_code && !/^\d{5}(-\d{4})?$/.test(a.postal_code.trim())) errors.postal_code = 'checkout.address.errors.zipInvalid';
  if (!/^[A-Z]{2}$/.test(a.country)) errors.country = 'checkout.address.errors.countryRequired';
  if (a.phone.trim() && !/^\+?[\d\s().-]{6,30}$/.test(a.phone.trim())) errors.phone = 'checkout.address.errors.phoneInvalid';
  return errors;
}

/** Countries that write "City, Region Postal" on one line (else "Postal City", region apart). */
const CITY_FIRST = new Set(['US', 'CA', 'AU']);

/** An address as the lines of a label; the country's name comes from `countryName`. */
export function addressLines(a: ShippingAddress, countryName: string): string[] {
  const cityLine = CITY_FIRST.has(a.country)
    ? [[a.city, a.region].filter(Boolean).join(', '), a.postal_code].filter(Boolean).join(' ')
    : [a.postal_code, a.city].filter(Boolean).join(' ');
  return [a.name, a.line1, a.line2, cityLine, CITY_FIRST.has(a.country) ? '' : a.region, countryName, a.phone].filter((l): l is string => !!l);
}

/** The API body: trimmed, optional fields left out when empty. */
export function toShippingAddress(a: AddressForm): ShippingAddress {
  const out: ShippingAddress = { name: a.name.trim(), line1: a.line1.trim(), city: a.city.trim(), postal_code: a.postal_code.trim(), country: a.country };
  if (a.line2.trim()) out.line2 = a.line2.trim();
  if (a.region.trim()) out.region = a.region.trim();
  if (a.phone.trim()) out.phone = a.phone.trim();
  return out;
}
