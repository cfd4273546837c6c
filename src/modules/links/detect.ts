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

/**
 * Kinds of evasion the normaliser undoes (decision 010, "Kinds of evasion"), each by rule:
 *  1. scheme and `www` variants: `hxxps://`, `h t t p s : //`, `www dot`, `www 点`, `www example.com`;
 *  2. dot substitutes: `.` written as a word (`dot`, `d0t`, `点`, `句号`), bracketed (`(.)`, `[dot]`),
 *     hyphenated (`-dot-`, `_dot_`), glued (`shopdotcom`), or as any other punctuation, symbol or
 *     emoji (`·`, `。`, `,`, `_`, `#`, `🔹`) before a top-level domain people give out;
 *  3. spaces, invisible and combining characters inside a label or TLD (`exa\u200bmple`,
 *     `e x a m p l e . c o m`, `example. com`, `example.c om`, `e̶x̶a̶m̶p̶l̶e̶`);
 *  4. full-width and other compatibility forms (NFKC: `ｅｘａｍｐｌｅ．ｃｏｍ`, `𝐞𝐱𝐚𝐦𝐩𝐥𝐞`, `ⓔⓧ`)
 *     and Cyrillic/Greek look-alike letters;
 *  5. internationalised domains: Unicode labels and TLDs (the whole root zone), punycode `xn--`;
 *  6. instructions: "replace # with .", "(# = .)", "把#换成.", "(remove spaces)";
 *  7. digits for letters in the TLD or the dot word (`c0m`, `n3t`, `1nf0`, `d0t`);
 *  8. a dot left out before `com` followed by a path (`examplecom/shop`);
 *  9. e-mail obfuscation (`(at)`, `[at]`, ` AT `, `＠`, `艾特`), IPs and shorteners in any of the above;
 * 10. all of it inside Chinese text, which runs straight into Latin without spaces.
 */

/** Top-level domains common enough to count even when written as "Example. com" or "Shop.Com". */
const COMMON_TLDS = new Set(['com', 'net', 'org', 'cn', 'io', 'co', 'uk', 'us', 'me', 'info', 'biz', 'xyz', 'shop', 'store']);
/** TLDs people give out in shop talk that are no English word: they count after any stand-in for the dot. */
const UNAMBIGUOUS_TLDS = new Set(['com', 'org', 'cn', 'xyz', 'io', 'biz', 'ru', 'de', 'jp', 'uk', 'vip', 'cc', 'fr']);
/** All TLDs people give out in shop talk: these count after a dot word or a dot look-alike (`shop dot top`, `shop•store`). */
const GIVEN_TLDS = new Set([...UNAMBIGUOUS_TLDS, ...COMMON_TLDS, 'top', 'online', 'site', 'club', 'app', 'dev', 'tv']);
/** After `。`, a sentence end in Chinese text, only these complete a domain. */
const FULL_STOP_TLDS = new Set([...UNAMBIGUOUS_TLDS, 'net']);
/** Words before " dot " that make it prose ("polka dot top", "the dot com era", "a dot of glue"). */
const PROSE_BEFORE_DOT = new Set(['the', 'a', 'an', 'one', 'each', 'every', 'this', 'that', 'no', 'polka', 'red', 'green', 'blue', 'black', 'white', 'pink', 'tiny', 'small', 'big', 'little', 'with', 'per', 'of']);

/** Cyrillic and Greek letters that look like Latin ones. */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's',
  і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', ɡ: 'g', ӏ: 'l',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y', Ѕ: 'S', І: 'I', Ј: 'J',
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
/** Digits written for letters ("c0m", "1nf0"): 1 may stand for i or l. */
const DIGIT_LETTERS: Record<string, string> = { 0: 'o', 1: 'i', 3: 'e', 4: 'a', 5: 's', 7: 't' };
const INVISIBLE = /^(?:[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]|\u034f)$/;
const CJK_PUNCT = /[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]/;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const LETTER = /[\p{L}\p{N}]/u;

/** One UTF-16 unit of the normalised text and the range of the original it came from. */
interface Unit {
  c: string;
  from: number;
  to: number;
}

/** The normalised text of `units`, computed once per array (a pass that changes nothing returns the same array). */
const texts = new WeakMap<Unit[], string>();
function joined(units: Unit[]): string {
  let text = texts.get(units);
  if (text === undefined) texts.set(units, (text = units.map((u) => u.c).join('')));
  return text;
}

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
  if (last === 0) return units;
  out.push(...units.slice(last));
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The TLD a token stands for, digits read as letters ("c0m" → com, "1nf0" → info), if it is one people give out. */
function givenTld(token: string): string | undefined {
  const t = token.toLowerCase();
  for (const one of ['i', 'l']) {
    const read = t.replace(/[013457]/g, (d) => (d === '1' ? one : DIGIT_LETTERS[d]!));
    if (GIVEN_TLDS.has(read) && /[a-z]/.test(t)) return read;
  }
  return undefined;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const DOT_WORD = '(?:dot|d0t|dawt|点|句号)';
/** Dot words and look-alikes that may repeat in a chain ("shop dot example dot com", "shop点example点cn"). */
const CHAIN_DOT = `(?:\\s+(?:dot|d0t|dawt)\\s+|\\s*(?:点|句号|[。·・•∙⋅٠‧])\\s*)`;
/** What a dot may be written as between a label and a TLD: a dot word or `.` in brackets, hyphenated or spaced, a dot look-alike, or other punctuation, symbols and emoji. */
const DOT_BRACKETED = `\\s*[([{<]\\s*(?:${DOT_WORD}|\\.|。)\\s*[)\\]}>]\\s*`;
const DOT_HYPHENATED = `[-_]${DOT_WORD}[-_]|\\s*([^\\s\\p{L}\\p{N}.])\\.\\3\\s*`;
const DOT_LOOKALIKE = '\\s*(?:[。·・•∙⋅٠‧]|点|句号)\\s*';
const SYMBOL = "(?:(?![-/:@?&=%+'\"_.])[\\p{P}\\p{S}\\p{Extended_Pictographic}]\\ufe0f?|_){1,3}";
const SEPARATED = new RegExp(
  `(?<![a-z0-9-])(${LABEL})(${DOT_BRACKETED}|${DOT_HYPHENATED}|${DOT_LOOKALIKE}|(\\s+)?${SYMBOL}(\\s+)?)([a-z0-9]{2,6})(?![a-z0-9])`,
  'giu',
);
const SPACED_DOTS = new RegExp(`(?<![a-z0-9-])${LABEL}(?:\\s*\\.\\s*${LABEL})+(?![a-z0-9-])`, 'gi');
const DOT_WORD_CHAIN = new RegExp(`(?<![a-z0-9-])${LABEL}(?:${CHAIN_DOT}${LABEL})+(?![a-z0-9-])`, 'gi');
const GLUED_DOT = new RegExp(`(?<![#a-z0-9])(${LABEL})(?:dot|d0t)([a-z0-9]{2,6})(?![a-z0-9])`, 'gi');
const INSTRUCTIONS = [
  /(?:replace|change|swap|turn)\s+([^\p{L}\p{N}\s]{1,3})\s+(?:with|by|to|into|for)\s+(?:a\s+)?(?:\.|dot|period|点)/giu,
  /(?<![\p{L}\p{N}])([^\p{L}\p{N}\s()[\]]{1,3})\s*(?:=|means|is|->|→|stands for)\s*(?:a\s+)?(?:\.|dot|period)(?![a-z0-9])/giu,
  /([^\p{L}\p{N}\s()[\]]{1,3})\s*(?:换成|改成|替换成|替换为|换为|改为|当作|当成|代表|是)\s*(?:\.|点|句号)/gu,
];
const REMOVE_SPACES = /remove (?:the |all )?spaces|without spaces|no spaces|去掉空格|去空格|删除空格|删掉空格/i;

/** Drops combining marks from words where they sit on most letters (strike-through, underline, keycaps). */
function dropMarks(units: Unit[]): Unit[] {
  const text = joined(units);
  if (!/\p{M}/u.test(text)) return units;
  const drop = new Set<number>();
  for (const w of text.matchAll(/[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}\p{M}.-]+/gu)) {
    const marks = [...w[0].matchAll(/\p{M}/gu)];
    if (marks.length >= 3 && marks.length * 2 >= w[0].length - marks.length) for (const m of marks) drop.add(w.index + m.index);
  }
  return drop.size === 0 ? units : units.filter((_, k) => !drop.has(k));
}

/** Look-alike letters in host-like words (with a Latin letter or a dot): per label, when it mixes scripts or is made of look-alikes only ("ехаmple.сом", "а00.сом"), not in a real IDN label ("shop.рф"). */
function latinLookalikes(units: Unit[]): Unit[] {
  const text = joined(units);
  if (!/[\u0370-\u052f\u0261]/.test(text)) return units;
  const out = [...units];
  for (const word of text.matchAll(/[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{M}\p{N}.-]+/gu)) {
    if (!/[a-z]|[\p{L}\p{N}]\.\p{L}/iu.test(word[0])) continue;
    let at = word.index;
    for (const label of word[0].split('.')) {
      const letters = [...label].filter((c) => /\p{L}/u.test(c));
      if (letters.some((c) => /[a-z]/i.test(c)) || letters.every((c) => HOMOGLYPHS[c])) {
        for (let k = at; k < at + label.length; k++) out[k] = { ...out[k]!, c: HOMOGLYPHS[out[k]!.c] ?? out[k]!.c };
      }
      at += label.length + 1;
    }
  }
  return out;
}

/** "example#com (replace # with .)", "把*换成.": the named character becomes a dot between letters; "(remove spaces)" joins spaced-out letters. */
function followInstructions(units: Unit[]): Unit[] {
  const text = joined(units);
  for (const re of INSTRUCTIONS) {
    for (const m of text.matchAll(re)) {
      units = rewrite(units, new RegExp(`(?<=[a-z0-9])${escape(m[1]!)}(?=[a-z0-9])`, 'gi'), () => '.');
    }
  }
  if (REMOVE_SPACES.test(text)) units = rewrite(units, /(?<=[a-z0-9.])\s+(?=[a-z0-9.])/gi, () => '');
  return units;
}

/**
 * The text with evasions undone, kind by kind (see the list above), every unit keeping the range
 * of the original text it came from.
 */
export function normalise(text: string): Unit[] {
  let units: Unit[] = [];
  let i = 0;
  for (const cp of text) {
    const from = i;
    i += cp.length;
    if (cp < '\u0080') {
      units.push({ c: cp, from, to: i });
      continue;
    }
    if (INVISIBLE.test(cp)) continue;
    // Chinese punctuation after Chinese text separates, it does not join ("官网：www…").
    const prev = units[units.length - 1];
    if (CJK_PUNCT.test(cp) && prev && CJK.test(prev.c)) {
      units.push({ c: ' ', from, to: i });
      continue;
    }
    for (const c of cp.normalize('NFKC').split('')) units.push({ c, from, to: i });
  }
  units = latinLookalikes(dropMarks(units));
  units = followInstructions(units);
  units = rewrite(units, /\bh\s?[tx]\s?[tx]\s?p\s?(s?)\s*:\s*\/\s*\/\s*/gi, (m) => `http${m[1]}://`);
  // "w w w . e x a m p l e . c o m": single characters separated by the same spaces, ending in a word or not.
  units = rewrite(units, /(?<![a-z0-9])(?:[a-z0-9.-] {1,3}){3,}(?:(?<=\. +)[a-z0-9][a-z0-9.-]*[a-z0-9]|[a-z0-9])(?![a-z0-9])/gi, (m) =>
    /[a-z0-9]\s*\.\s*[a-z0-9]/i.test(m[0]) ? m[0].replace(/ /g, '') : null);
  units = rewrite(units, new RegExp(`\\bwww(?:\\s*(?:${DOT_WORD}|\\.|。)\\s*|\\s+)(?=[a-z0-9])`, 'gi'), () => 'www.');
  units = rewrite(units, /(?<=[a-z0-9])\s*[([{<]\s*at\s*[)\]}>]\s*(?=[a-z0-9])|(?<=[a-z0-9])(?:\s+AT\s+|\s*艾特\s*)(?=[a-z0-9])/g, () => '@');
  units = rewrite(units, /(?<=[a-z0-9])\s*[([{<]\s*(?:dot|\.|点|。)\s*[)\]}>]\s*(?=[a-z0-9])|(?<=[0-9])\s*[点。·・]\s*(?=[0-9])/gi, () => '.');
  units = rewrite(units, DOT_WORD_CHAIN, (m) => {
    const labels = m[0].split(new RegExp(CHAIN_DOT, 'i'));
    if (PROSE_BEFORE_DOT.has(labels[0]!.toLowerCase())) return null;
    const tld = givenTld(labels[labels.length - 1]!);
    // `。` ends sentences: it stands for a dot only before a TLD that is no English word ("the。top" is prose).
    if (m[0].includes('。') && !(tld && FULL_STOP_TLDS.has(tld))) return null;
    if (labels.length <= 2 && !tld && !SHORTENERS.has(labels.join('.').toLowerCase())) return null;
    return [...labels.slice(0, -1), tld ?? labels[labels.length - 1]!].join('.');
  });
  units = rewrite(units, SEPARATED, (m) => {
    const [, label, sep, , before, after, tldToken] = m;
    const tld = givenTld(tldToken!);
    if (SHORTENERS.has(`${label}.${tldToken}`.toLowerCase()) && sep!.trim() !== '') return `${label}.${tldToken}`;
    if (!tld || PROSE_BEFORE_DOT.has(label!.toLowerCase()) || sep!.trim() === '') return null;
    // A dot look-alike or a dot word stands for a dot before any TLD people give out; `。` and other
    // punctuation ("love it,me too", "the。top") only before a TLD that is no English word, and so
    // does a symbol or emoji with spaces around it.
    const other = sep!.replace(/[\s.。·・•∙⋅٠‧()[\]{}<>_-]|dot|d0t|dawt|点|句号/gi, '');
    if (sep!.includes('。') && !FULL_STOP_TLDS.has(tld)) return null;
    const punctuation = /\p{P}/u.test(other);
    if ((punctuation || (other !== '' && (before || after))) && !UNAMBIGUOUS_TLDS.has(tld)) return null;
    return `${label}.${tld}`;
  });
  units = rewrite(units, GLUED_DOT, (m) => {
    const tld = givenTld(m[2]!);
    return tld && m[1]!.length >= 2 ? `${m[1]}.${tld}` : null;
  });
  // "examplecom/shop": a dot left out before com, seen from the path that follows (not "sitcom/drama").
  units = rewrite(units, /(?<![a-z0-9.])([a-z0-9-]{3,})com(?=\/[a-z0-9])/gi, (m) => (/(?:sit|tele|inter|dot)$/i.test(m[1]!) ? null : `${m[1]}.com`));
  // "example . com", "example. com": spaces around dots, when the chain is an IP address or a
  // shortener or ends in a TLD people give out; with a space only after the dot, one that is no
  // English word ("well. net weight" is prose).
  units = rewrite(units, SPACED_DOTS, (m) => {
    const labels = m[0].split(/\s*\.\s*/);
    const last = labels[labels.length - 1]!;
    const ip = labels.length === 4 && labels.every((l) => /^\d{1,3}$/.test(l));
    const tlds = /\s\./.test(m[0]) ? GIVEN_TLDS : UNAMBIGUOUS_TLDS;
    const joinedUp = labels.join('.');
    return /\s/.test(m[0]) && (ip || SHORTENERS.has(joinedUp.toLowerCase()) || (tlds.has(last) && labels[0]!.length >= 2)) ? joinedUp : null;
  });
  // "example.c om", "example.c0m": a space inside the TLD, digits for its letters.
  units = rewrite(units, /(?<=[a-z0-9]\.)([a-z]{1,5}) ([a-z]{1,5})(?![a-z0-9])/gi, (m) => (GIVEN_TLDS.has(`${m[1]}${m[2]}`.toLowerCase()) ? `${m[1]}${m[2]}` : null));
  units = rewrite(units, /(?<=[a-z][a-z0-9-]*\.)([a-z0-9]*[0-9][a-z0-9]*)(?![a-z0-9])/gi, (m) => givenTld(m[1]!) ?? null);
  // "visit:example.com": linkify-it takes no link right after a colon.
  units = rewrite(units, /(?<=\p{L}):(?=\p{L})/gu, () => ': ');
  // Chinese text runs straight into other scripts ("请访问example.com购买", "去торг.网络"): split them.
  if (!CJK.test(joined(units))) return units;
  const out: Unit[] = [];
  for (const u of units) {
    const prev = out[out.length - 1];
    if (prev && (CJK.test(prev.c) ? LETTER.test(u.c) && !CJK.test(u.c) : LETTER.test(prev.c) && !CJK.test(prev.c) && CJK.test(u.c))) {
      out.push({ c: ' ', from: u.from, to: u.from });
    }
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
