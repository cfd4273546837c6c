import { describe, expect, it } from 'vitest';
import { parseMoneyInput } from '../../web/src/lib/money.js';
import { formatCurrencyName, formatDateTime, formatFileSize, formatMoney, formatNumber, formatRegion } from '../../web/src/i18n/format.js';

/** Issue 9: money, numbers and times formatted with Intl for the chosen language. */
describe('web format helpers', () => {
  it('formats minor units exactly and always shows the currency', () => {
    expect(formatMoney({ amount: 1999, currency: 'USD' }, 'en')).toBe('$19.99');
    expect(formatMoney({ amount: 1999, currency: 'USD' }, 'zh-CN')).toBe('US$19.99');
    expect(formatMoney({ amount: 1250, currency: 'CNY' }, 'zh-CN')).toBe('¥12.50');
    expect(formatMoney({ amount: 1250, currency: 'CNY' }, 'en')).toBe('CN¥12.50');
    expect(formatMoney({ amount: 1234, currency: 'JPY' }, 'en')).toBe('¥1,234');
    expect(formatMoney({ amount: 5, currency: 'USD' }, 'en')).toBe('$0.05');
    expect(formatMoney({ amount: -250, currency: 'EUR' }, 'en')).toBe('-€2.50');
    // Past float precision for cents, still exact.
    expect(formatMoney({ amount: 9007199254740991, currency: 'USD' }, 'en')).toBe('$90,071,992,547,409.91');
    expect(() => formatMoney({ amount: 1.5, currency: 'USD' }, 'en')).toThrow(RangeError);
  });

  it('gives file sizes under a megabyte in kB, larger ones in MB', () => {
    expect(formatFileSize(1, 'en')).toBe('1 kB');
    expect(formatFileSize(640_400, 'en')).toBe('640 kB');
    expect(formatFileSize(999_999, 'en')).toBe('1 MB');
    expect(formatFileSize(12_500_000, 'en')).toBe('12.5 MB');
    expect(formatFileSize(640_400, 'zh-CN')).toMatch(/^640\s?(kB|千字节)$/);
  });

  it('reads prices typed with thousands separators or a decimal comma, and refuses what is not one amount', () => {
    const usd = (s: string) => parseMoneyInput(s, 'USD');
    expect(['19.99', '19,99', ' 19.99 '].map(usd)).toEqual([1999, 1999, 1999]);
    expect(['1,299', '1 299', "1'299", '1,299.00', '1.299,00', '1,299,000.5', '1\u00a0299,5'].map(usd)).toEqual([129_900, 129_900, 129_900, 129_900, 129_900, 129_900_050, 129_950]);
    expect(parseMoneyInput('1,299', 'JPY')).toBe(1299);
    expect(['', 'abc', '-5', '1.299', '12,99,000', '1,2,3', '1.2.3', '19.999', '1,29.00', '.', ','].map(usd)).toEqual(Array(11).fill(null));
  });

  it('formats numbers for the locale', () => {
    expect(formatNumber(1234567, 'en')).toBe('1,234,567');
    expect(formatNumber(1234567, 'zh-CN')).toBe('1,234,567');
  });

  it('labels a time shown in a shop time zone with that zone', () => {
    const t = new Date('2026-01-05T23:04:00Z');
    expect(formatDateTime(t, 'en', 'America/Los_Angeles')).toBe('Jan 5, 2026, 3:04 PM PST');
    expect(formatDateTime(t, 'zh-CN', 'America/Los_Angeles')).toBe('2026年1月5日 GMT-8 15:04');
    expect(formatDateTime(t, 'en', 'Asia/Shanghai')).toMatch(/Jan 6, 2026, 7:04 AM GMT\+8/);
    // Without a zone: the viewer's own, unlabelled.
    expect(formatDateTime(t, 'en')).not.toMatch(/GMT|PST|UTC/);
  });

  it('names markets and currencies in the chosen language', () => {
    expect(formatRegion('US', 'en')).toBe('United States');
    expect(formatRegion('US', 'zh-CN')).toBe('美国');
    expect(formatCurrencyName('USD', 'en')).toBe('US Dollar (USD)');
    expect(formatCurrencyName('USD', 'zh-CN')).toBe('美元 (USD)');
  });
});
