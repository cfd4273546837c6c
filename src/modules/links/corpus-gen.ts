/**
 * A generated link corpus, by kind of evasion (decision 010, "Kinds of evasion"): every kind is a
 * function that writes a domain the way a person dodging a filter would, and a case is a kind ×
 * a random label × a TLD × a sentence of English or Chinese prose, from a seeded generator.
 * The training half and the held-out half share the kinds but not the seed, the labels or the
 * sentences, so the held-out half measures how the detector does on text it was not tuned on.
 */
import { domainToASCII } from 'node:url';

export interface GeneratedCase {
  kind: string;
  text: string;
  /** The host the text links to (an e-mail: its domain), ASCII; null for text without a link. */
  link: string | null;
  /** Where the link is written in `text` (end exclusive); 0/0 for text without a link. */
  start: number;
  end: number;
}

type Rand = () => number;

/** mulberry32: a small seeded generator, so the corpus is the same on every run. */
export function seeded(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Syllables of the labels, one list per half. */
const SYLLABLES = [
  ['ka', 'lo', 'mi', 'ver', 'shop', 'ta', 'ron', 'bel', 'zu', 'nex', 'qui', 'dar', 'po', 'lin', 'mart', 'sa', 'fen', 'go', 'ri', 'vo'],
  ['bu', 'ne', 'sto', 'kir', 'mall', 'te', 'jas', 'or', 'dee', 'lux', 'pa', 'vin', 'hao', 'mo', 'tre', 'gi', 'yun', 'fa', 'cel', 'ox'],
];
/** A random host label of 2–4 syllables, sometimes with a digit or a hyphen. */
function label(r: Rand, half: 0 | 1): string {
  const n = 2 + Math.floor(r() * 3);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(r, SYLLABLES[half]!);
  const x = r();
  if (x < 0.1) s += String(Math.floor(r() * 100));
  else if (x < 0.15) s = `${s.slice(0, 3)}-${s.slice(3)}`;
  return s;
}

/** TLDs people give out in shop talk. */
export const TLDS_USED = ['com', 'net', 'org', 'cn', 'io', 'shop', 'store', 'xyz', 'top', 'vip', 'online', 'site', 'info', 'co', 'me', 'de', 'uk', 'ru', 'jp', 'biz'];
const ALT_LETTERS: Record<string, string> = { o: '0', e: '3', i: '1', a: '4', s: '5' };
/** Digits for some letters; one letter stays, as an all-digit TLD ("io" → "10") reads as a number ("No.10"). */
const leet = (s: string, r: Rand) => {
  const out = s.replace(/[oeias]/g, (c) => (r() < 0.7 ? ALT_LETTERS[c]! : c));
  return /[a-z]/.test(out) ? out : s[0] + out.slice(1);
};

const DOT_WORDS = [' dot ', ' DOT ', ' Dot ', '(dot)', '[dot]', '{dot}', ' (dot) ', ' [dot] ', '-dot-', ' d0t ', ' D0T ', '<dot>'];
const DOT_SYMBOLS = ['(.)', '[.]', '{.}', '·', '。', '．', '点', '句号', '•', '∙', '٠', '﹒', '․', '⋅', ',', '，', '_', '*', '#', '|', '🔹', '⚫', '●', '🔴', '✨', '/./'];
const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\ufeff', '\u034f'];
const COMBINING = ['\u0336', '\u0335', '\u0332', '\u0337', '\u20e3', '\u0323'];
const LOOKALIKES: Record<string, string[]> = { a: ['а', 'α'], e: ['е'], o: ['о', 'ο'], p: ['р', 'ρ'], c: ['с'], x: ['х', 'χ'], i: ['і', 'ι'], k: ['к', 'κ'], y: ['у'], s: ['ѕ'], t: ['т', 'τ'], m: ['м'] };
const IDN_LABELS = ['商城', '好物', '买买', 'bücher', 'café', 'tienda-ñu', 'магазин', 'торг', 'ショップ', '가게', 'straße', 'ελλάδα'];
const IDN_TLDS = ['中国', '公司', '网络', '商城', 'рф', 'com', 'de', 'net', '在线', '网店', 'shop', 'онлайн'];
const FULLWIDTH = (s: string) => [...s].map((c) => (c >= '!' && c <= '~' ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('');
const MATH_BOLD = (s: string) => [...s].map((c) => (c >= 'a' && c <= 'z' ? String.fromCodePoint(0x1d41a + c.charCodeAt(0) - 97) : c)).join('');
const CIRCLED = (s: string) => [...s].map((c) => (c >= 'a' && c <= 'z' ? String.fromCodePoint(0x24d0 + c.charCodeAt(0) - 97) : c)).join('');

/** One way of writing `host` (label.tld); returns the written form and the host it resolves to. */
type Kind = (r: Rand, l: string, tld: string, pick: <T>(r: Rand, xs: readonly T[]) => T) => { written: string; host: string };
const insertAt = (s: string, r: Rand, what: () => string) => {
  const at = 1 + Math.floor(r() * (s.length - 1));
  return s.slice(0, at) + what() + s.slice(at);
};

export const KINDS: Record<string, Kind> = {
  plain: (r, l, t, pick) => ({ written: `${l}.${t}${r() < 0.4 ? `/${pick(r, ['p/12', 'sale', 'shop?id=7', 'x'])}` : ''}`, host: `${l}.${t}` }),
  scheme: (r, l, t, pick) => ({ written: `${pick(r, ['https://', 'http://', 'HTTPS://', 'hxxps://', 'hxxp://', 'https：//', 'https : //', 'h t t p s://'])}${l}.${t}/${pick(r, ['', 'item/9', 'a?b=1'])}`, host: `${l}.${t}` }),
  www: (r, l, t, pick) => ({ written: `${pick(r, ['www.', 'WWW.', 'www ', 'www dot ', 'www。', 'w w w . '])}${l}.${t}`, host: `www.${l}.${t}` }),
  dot_word: (r, l, t, pick) => {
    const d = pick(r, DOT_WORDS);
    return { written: `${l}${d}${t}`, host: `${l}.${t}` };
  },
  dot_symbol: (r, l, t, pick) => {
    const d = pick(r, DOT_SYMBOLS);
    const sp = r() < 0.3 ? ' ' : '';
    return { written: `${l}${sp}${d}${sp}${t}`, host: `${l}.${t}` };
  },
  spaced_dot: (r, l, t, pick) => ({ written: `${l}${pick(r, [' . ', ' .', '. ', '  .  '])}${t}`, host: `${l}.${t}` }),
  space_in_label: (r, l, t, _pick) => ({ written: `${insertAt(l, r, () => ' ')}.${t}`, host: `${l}.${t}` }),
  space_in_tld: (r, l, t, _pick) => {
    const tt = t.length >= 2 ? insertAt(t, r, () => ' ') : t;
    return { written: `${l}.${tt}`, host: `${l}.${t}` };
  },
  spaced_letters: (r, l, t, pick) => ({ written: [...`${l}.${t}`].join(pick(r, [' ', '  ', ' '])), host: `${l}.${t}` }),
  invisible: (r, l, t, pick) => ({ written: `${insertAt(l, r, () => pick(r, INVISIBLES))}.${insertAt(t, r, () => pick(r, INVISIBLES))}`, host: `${l}.${t}` }),
  combining: (r, l, t, pick) => {
    const m = pick(r, COMBINING);
    return { written: [...`${l}.${t}`].map((c) => (c === '.' ? c : c + m)).join(''), host: `${l}.${t}` };
  },
  fullwidth: (r, l, t, pick) => {
    const f = pick(r, [FULLWIDTH, MATH_BOLD, CIRCLED]);
    return { written: f === FULLWIDTH ? f(`${l}.${t}`) : `${f(l)}.${f(t)}`, host: `${l}.${t}` };
  },
  homoglyph: (r, l, t, pick) => {
    const swap = (s: string) => [...s].map((c) => (LOOKALIKES[c] && r() < 0.5 ? pick(r, LOOKALIKES[c]!) : c)).join('');
    return { written: `${swap(l)}.${swap(t)}`, host: `${l}.${t}` };
  },
  idn: (r, _l, _t, pick) => {
    const l = pick(r, IDN_LABELS);
    const t = pick(r, IDN_TLDS);
    const host = `${l}.${t}`;
    return r() < 0.3 ? { written: domainToASCII(host), host } : { written: host, host };
  },
  instruction: (r, l, t, pick) => {
    const c = pick(r, ['#', '*', '~', '^', '$', '&', '%', '!', '@@']);
    const say = pick(r, [
      `(replace ${c} with .)`, `replace ${c} with a dot`, `(${c} = .)`, `把${c}换成.`, `（${c}换成点）`, `${c}改成.`, `(change ${c} to dot)`, `${c} means .`,
    ]);
    return { written: `${l}${c}${t} ${say}`, host: `${l}.${t}` };
  },
  leet_tld: (r, l, t, pick) => {
    const lt = leet(t, r);
    const tt = lt === t ? t.replace(/o/, '0') : lt;
    const sep = pick(r, ['.', ' dot ', ' d0t ', '(.)']);
    return { written: `${l}${sep}${tt}`, host: `${l}.${t}` };
  },
  glued_dot: (r, l, t, pick) => ({ written: `${l}${pick(r, ['dot', 'DOT', 'Dot', 'd0t', '(dot)', '_dot_'])}${t}${r() < 0.4 ? '/shop' : ''}`, host: `${l}.${t}` }),
  email: (r, l, t, pick) => {
    const who = pick(r, ['sales', 'jane', 'vip', 'orders', 'li.wei']);
    const at = pick(r, [' at ', '(at)', '[at]', ' (at) ', '＠', '@', ' AT ', '艾特']);
    const dot = pick(r, ['.', ' dot ', '(dot)', '.']);
    return { written: `${who}${at}${l}${dot}${t}`, host: `${l}.${t}` };
  },
  ip: (r, _l, _t, pick) => {
    const ip = [1 + Math.floor(r() * 222), Math.floor(r() * 256), Math.floor(r() * 256), 1 + Math.floor(r() * 254)].join('.');
    const sep = pick(r, ['.', '[.]', ' . ', '(.)', '点']);
    return { written: `${ip.replace(/\./g, sep)}${r() < 0.5 ? ':8080/shop' : ''}`, host: ip };
  },
  shortener: (r, _l, _t, pick) => {
    const s = pick(r, ['bit.ly', 't.cn', 'tinyurl.com', 'is.gd', 'cutt.ly', 'rb.gy', 'amzn.to', 'wa.me']);
    const code = label(r, 0).slice(0, 6);
    const written = r() < 0.5 ? `${s}/${code}` : `${s.replace('.', pick(r, [' dot ', '[.]', '点', ' . ']))}/${code}`;
    return { written, host: s };
  },
};

const PROSE_EN = [
  ['Buy it cheaper at {L} today', 'Full catalogue on {L}', 'DM me or go to {L} for the code', 'Real price list: {L}', 'Order here {L} before it sells out'],
  ['Skip the fees, visit {L}!', 'More colours at {L} (limited)', 'Use {L} — ships faster', 'Wholesale: {L}. Thanks', 'cheaper on {L} lol'],
];
const PROSE_ZH = [
  ['更便宜的在 {L} 下单', '官网：{L}，欢迎光临', '私聊或者去 {L} 领券', '全部款式见 {L} 。', '这里买：{L}'],
  ['想要的去{L}看看', '老客户请到 {L} 买', '折扣码在 {L}，快去', '同款链接 {L} 包邮', '店铺地址 {L} 谢谢'],
];

/** `n` cases of every kind: half the sentences in English, half in Chinese. `half` picks the sentence pool. */
export function generateCorpus(seed: number, n: number, half: 0 | 1): GeneratedCase[] {
  const r = seeded(seed);
  // Each half writes every kind with its own share of the variants (every other one of each list).
  const ofHalf = <T>(rr: Rand, xs: readonly T[]): T => pick(rr, xs.length < 2 ? xs : xs.filter((_, k) => k % 2 === half));
  const out: GeneratedCase[] = [];
  for (const [kind, write] of Object.entries(KINDS)) {
    for (let i = 0; i < n; i++) {
      const { written, host } = write(r, label(r, half), pick(r, TLDS_USED), ofHalf);
      const sentence = pick(r, i % 2 === 0 ? PROSE_EN[half]! : PROSE_ZH[half]!);
      const start = sentence.indexOf('{L}');
      out.push({ kind, text: sentence.replace('{L}', written), link: domainToASCII(host) || host, start, end: start + written.length });
    }
  }
  return out;
}

/** Text without a link that looks close to one, by kind: each writes one sentence from random parts. */
export const NEGATIVE_KINDS: Record<string, (r: Rand) => string> = {
  decimal: (r) => `${pick(r, ['Only', 'Weighs', 'Now', '仅', '重'])} ${Math.floor(r() * 100)}.${Math.floor(r() * 100)}${pick(r, ['kg', ' cm', 'mm', ' inches', '元', 'g', ' stars', '%'])}`,
  price: (r) => pick(r, ['$', '¥', '€', 'US$', '£']) + `${Math.floor(r() * 1000)}.${String(Math.floor(r() * 100)).padStart(2, '0')} ${pick(r, ['today only', '包邮', 'each', 'for two', '起'])}`,
  version: (r) => `${pick(r, ['v', 'Version ', 'firmware ', 'iOS ', 'app '])}${Math.floor(r() * 20)}.${Math.floor(r() * 10)}.${Math.floor(r() * 10)} ${pick(r, ['is out', 'fixes it', 'required', '已更新'])}`,
  time: (r) => `${pick(r, ['Live at', 'Drop at', '直播时间', 'Restock'])} ${Math.floor(r() * 24)}:${String(Math.floor(r() * 60)).padStart(2, '0')}${pick(r, ['', ' tonight', ' 准时', '.'])}`,
  date: (r) => `${pick(r, ['Sale', 'Ships', '发货', 'Back on'])} ${1 + Math.floor(r() * 12)}.${1 + Math.floor(r() * 28)}${pick(r, ['', ' only', '!', '。'])}`,
  abbreviation: (r) => `${pick(r, ['e.g.', 'i.e.', 'Dr.', 'Mr.', 'Ms.', 'St.', 'No.', 'vs.', 'etc.', 'approx.', 'Jan.', 'Oct.'])} ${pick(r, ['the blue one', 'Li', 'Smith', 'this fits', 'the old model', '5 cm', '1 best seller'])}`,
  ellipsis: (r) => `${pick(r, ['wow', 'hmm', 'ok', 'so soft', '好看'])}${pick(r, ['...', '…', '....', '。。。'])}${pick(r, ['amazing', 'maybe', 'love it', 'not sure', '推荐'])}`,
  size: (r) => `${pick(r, ['Size', 'Dimensions:', '尺寸'])} ${Math.floor(r() * 100)} x ${Math.floor(r() * 100)}${pick(r, [' cm', 'mm', ' in'])}, ${pick(r, ['S/M/L', 'one size', 'XL.', 'fits 4T-5T'])}`,
  prose_dot: (r) => `${pick(r, ['Polka dot', 'A dot of', 'Dot the', 'Red dot on the', 'The dot com bubble'])} ${pick(r, ['dress', 'glue', 'is', 'sleeve', 'colour', 'top'])} ${pick(r, ['looks great', 'for free', 'sold out', 'in stock'])}`,
  sentence_join: (r) => `${pick(r, ['Great day', 'So soft', 'Fast ship', 'Love it', 'Nice'])}.${pick(r, ['It fits', 'Would buy', 'Thanks', 'Five stars', 'Again'])}`,
  chinese: (r) => `${pick(r, ['这个很好用', '质量很好', '物流很快', '颜色好看', '下午3点发货', '一点点甜', '点赞关注'])}${pick(r, ['。', '，', '！', '；'])}${pick(r, ['推荐', '谢谢', '下次再来', '尺码偏小一点', '好评'])}${pick(r, ['。', '', '！'])}`,
  list: (r) => `${pick(r, ['Colours', 'Sizes', 'Tags', '颜色'])}: ${pick(r, ['red,blue,green', 'S,M,L', 'navy/grey', 'black, white', '黑色，白色'])}`,
  hashtag_mention: (r) => `${pick(r, ['#ootd', '#sale', '@jane', '@shop_official'])} ${pick(r, ['thanks', 'new in', '#summer', 'see bio'])}`,
  numbers_dots: (r) => `${pick(r, ['Sale', 'Code', 'Ratio', 'Model X'])} ${Math.floor(r() * 20)}.${Math.floor(r() * 20)}${pick(r, ['', '.5', ' ok'])}`,
};

export function generateNegatives(seed: number, n: number): GeneratedCase[] {
  const r = seeded(seed);
  const out: GeneratedCase[] = [];
  for (const [kind, write] of Object.entries(NEGATIVE_KINDS)) {
    for (let i = 0; i < n; i++) out.push({ kind: `no_link_${kind}`, text: write(r), link: null, start: 0, end: 0 });
  }
  return out;
}
