import { domainToASCII } from 'node:url';
import LinkifyIt from 'linkify-it';
import { TLDS } from './tlds.js';

/**
 * External-link detection for every text a user writes (decision 010). linkify-it finds links in
 * a normalised copy of the text in which the usual evasions are undone; every span points back
 * into the original text so a UI can mark it.
 */
export type LinkReason = 'url' | 'www' | 'domain' | 'ip' | 'email' | 'shortener' | 'obfuscated';

export interface LinkSpan {
  /** Offsets into the original text (UTF-16 code units, end exclusive). */
  start: number;
  end: number;
  /** The original text of the span. */
  text: string;
  /** The link as it resolves (`http://example.com`, `mailto:a@example.com`). */
  url: string;
  reason: LinkReason;
}

export interface FindLinksOptions {
  /** Domains (and their subdomains) that are not external: the platform's own. */
  allowedDomains?: readonly string[];
}

const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: true }).tlds([...TLDS], false);

export const SHORTENERS = new Set([
  'bit.ly', 'bitly.com', 't.co', 'tinyurl.com', 'goo.gl', 'ow.ly', 'is.gd', 'v.gd', 'buff.ly', 'rebrand.ly', 'cutt.ly',
  't.ly', 'tiny.cc', 'tiny.one', 'shorturl.at', 'rb.gy', 's.id', 'lnkd.in', 'dlvr.it', 'short.io', 'bl.ink', 'soo.gd',
  'clck.ru', 't.cn', 'url.cn', 'dwz.cn', 'suo.im', 'amzn.to', 'a.co', 'youtu.be', 'fb.me', 'wa.me', 'linktr.ee',
  'shorte.st', 'adf.ly', 'qr.net', 'x.co', 'trib.al', 'spoti.fi', 'apple.co', 'db.tt', 'git.io',
]);

/** Top-level domains common enough to count even when written as "Example. com" or "Shop.Com". */
const COMMON_TLDS = new Set(['com', 'net', 'org', 'cn', 'io', 'co', 'uk', 'us', 'me', 'info', 'biz', 'xyz', 'shop', 'store']);
/** After "label. " (a space after the dot) only these complete a domain; "well. net weight" is prose. */
const TLDS_AFTER_SPACE = new Set(['com', 'org', 'cn', 'io', 'xyz', 'top', 'vip', 'online', 'site']);

/** Cyrillic and Greek letters that look like Latin ones. */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's',
  і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', ɡ: 'g', ӏ: 'l',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y', Ѕ: 'S', І: 'I', Ј: 'J',
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
const INVISIBLE = /^(?:[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]|\u034f)$/;
const CJK_PUNCT = /[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]/;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** One UTF-16 unit of the normalised text and the range of the original it came from. */
interface Unit {
  c: string;
  from: number;
  to: number;
}

const joined = (units: Unit[]) => units.map((u) => u.c).join('');

/** Replaces every match of `re` (global) in the normalised text; the new units map to what they replaced. */
function rewrite(units: Unit[], re: RegExp, replace: (m: RegExpExecArray) => string | null): Unit[] {
  const text = joined(units);
  const out: Unit[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const by = replace(m as RegExpExecArray);
    if (by === null || m[0].length === 0) continue;
    out.push(...units.slice(last, m.index));
    const from = units[m.index]!.from;
    const to = units[m.index + m[0].length - 1]!.to;
    for (const c of by) out.push({ c, from, to });
    last = m.index + m[0].length;
  }
  out.push(...units.slice(last));
  return out;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const DOT_WORD_CHAIN = new RegExp(`${LABEL}(?:\\s+dot\\s+${LABEL})+`, 'gi');

/**
 * The text with evasions undone: invisible characters dropped, NFKC (full-width letters and
 * dots), Cyrillic/Greek look-alikes in words that also hold Latin letters, "(dot)", "[.]",
 * "点", "。", "·" and " dot " as dots, "(at)" as @, spaces around dots and between spaced-out
 * letters removed, "hxxp" as http, and a space after "word:" and between CJK and Latin text.
 */
export function normalise(text: string): Unit[] {
  let units: Unit[] = [];
  let i = 0;
  for (const cp of text) {
    const from = i;
    i += cp.length;
    if (INVISIBLE.test(cp)) continue;
    // Chinese punctuation after Chinese text separates, it does not join ("官网：www…").
    const prev = units[units.length - 1];
    if (CJK_PUNCT.test(cp) && prev && CJK.test(prev.c)) {
      units.push({ c: ' ', from, to: i });
      continue;
    }
    for (const c of cp.normalize('NFKC').split('')) units.push({ c, from, to: i });
  }
  // Look-alike letters in host-like words that also hold Latin letters: in each label that mixes
  // scripts or is made of look-alikes only ("ехаmple.сом"), not in a real IDN label ("shop.рф").
  for (const word of joined(units).matchAll(/[\p{L}\p{M}\p{N}.-]*[a-z][\p{L}\p{M}\p{N}.-]*/giu)) {
    let at = word.index;
    for (const label of word[0].split('.')) {
      const letters = [...label].filter((c) => /\p{L}/u.test(c));
      if (letters.some((c) => /[a-z]/i.test(c)) || letters.every((c) => HOMOGLYPHS[c])) {
        for (let k = at; k < at + label.length; k++) units[k] = { ...units[k]!, c: HOMOGLYPHS[units[k]!.c] ?? units[k]!.c };
      }
      at += label.length + 1;
    }
  }
  units = rewrite(units, /(?<=[a-z0-9])\s*[([{<]\s*(?:dot|\.|点|。)\s*[)\]}>]\s*(?=[a-z0-9])/gi, () => '.');
  units = rewrite(units, /(?<=[a-z0-9])\s*[([{<]\s*at\s*[)\]}>]\s*(?=[a-z0-9])/gi, () => '@');
  units = rewrite(units, /(?<=[a-z0-9])\s*[点。·・]\s*(?=[a-z0-9])/gi, () => '.');
  units = rewrite(units, DOT_WORD_CHAIN, (m) => {
    const labels = m[0].split(/\s+dot\s+/i);
    return labels.length > 2 || COMMON_TLDS.has(labels[labels.length - 1]!.toLowerCase()) ? labels.join('.') : null;
  });
  // "w w w . e x a m p l e . c o m": single characters separated by single spaces.
  units = rewrite(units, /(?<![^\s])[a-z0-9.](?: [a-z0-9.]){4,}(?![^\s])/gi, (m) => (m[0].includes('.') ? m[0].replace(/ /g, '') : null));
  units = rewrite(units, /(?<=[a-z0-9])\s+\.\s*(?=[a-z0-9])/gi, () => '.');
  units = rewrite(units, new RegExp(`(?<=[A-Za-z0-9]{2})\\.\\s+(?=(${LABEL})(?![a-z0-9.-]))`, 'g'), (m) => (TLDS_AFTER_SPACE.has(m[1]!) ? '.' : null));
  units = rewrite(units, /\bhxxp(s?):\/\//gi, (m) => `http${m[1]}://`);
  // "visit:example.com": linkify-it takes no link right after a colon.
  units = rewrite(units, /(?<=\p{L}):(?=\p{L})/gu, () => ': ');
  // CJK text runs straight into Latin ("请访问example.com购买"): split them.
  const out: Unit[] = [];
  for (const u of units) {
    const prev = out[out.length - 1];
    if (prev && (CJK.test(prev.c) ? /[a-z0-9]/i.test(u.c) : /[a-z0-9]/i.test(prev.c) && CJK.test(u.c))) out.push({ c: ' ', from: u.from, to: u.from });
    out.push(u);
  }
  return out;
}

function hostOf(url: string): string {
  if (url.startsWith('mailto:')) return url.slice(url.lastIndexOf('@') + 1).toLowerCase();
  try {
    return new URL(url, 'http://invalid').hostname.replace(/\.$/, '');
  } catch {
    return '';
  }
}

const asciiDomain = (d: string) => (domainToASCII(d.trim().toLowerCase()) || d.trim().toLowerCase()).replace(/\.$/, '');

export function isAllowedHost(host: string, allowedDomains: readonly string[]): boolean {
  const h = asciiDomain(host);
  return allowedDomains.some((d) => {
    const a = asciiDomain(d);
    return a !== '' && (h === a || h.endsWith(`.${a}`));
  });
}

/** "day.It fits": a capitalised, uncommon top-level domain right after a word is a missing space, not a link. */
function isSentenceBreak(raw: string, schema: string): boolean {
  if (schema !== '' || /^www\./i.test(raw) || /[/:?#]/.test(raw)) return false;
  const tld = raw.slice(raw.lastIndexOf('.') + 1);
  return /^\p{Lu}\p{Ll}+$/u.test(tld) && !COMMON_TLDS.has(tld.toLowerCase());
}

/** External links in `text`, in order, with spans into the original text. Links to `allowedDomains` are left out. */
export function findLinks(text: string, opts: FindLinksOptions = {}): LinkSpan[] {
  if (!text) return [];
  const units = normalise(text);
  const matches = linkify.match(joined(units)) ?? [];
  const spans: LinkSpan[] = [];
  for (const m of matches) {
    const host = hostOf(m.url);
    if (isAllowedHost(host, opts.allowedDomains ?? []) || isSentenceBreak(m.raw, m.schema)) continue;
    const start = units[m.index]!.from;
    const end = units[m.lastIndex - 1]!.to;
    const original = text.slice(start, end);
    const reason: LinkReason =
      m.schema === 'mailto:' ? 'email'
      : SHORTENERS.has(asciiDomain(host)) ? 'shortener'
      : original !== m.raw ? 'obfuscated'
      : /^\d+(\.\d+){3}$/.test(host) ? 'ip'
      : m.schema !== '' ? 'url'
      : /^www\./i.test(m.raw) ? 'www'
      : 'domain';
    spans.push({ start, end, text: original, url: m.url, reason });
  }
  return spans;
}
