import { describe, expect, it } from 'vitest';
import corpus from './corpus.json' with { type: 'json' };
import { findLinks } from './detect.js';

interface Case {
  category: string;
  text: string;
  /** The host the text links to (an email: its domain), or null for text without an external link. */
  link: string | null;
}

const PLATFORM = ['loopshop.dev', 'localhost'];
const hostOf = (url: string) => new URL(url.replace(/^mailto:[^@]*@/, 'http://'), 'http://invalid').hostname;

describe('link detection corpus', () => {
  const cases = corpus as Case[];

  it('has at least 200 cases, links and non-links', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(cases.filter((c) => c.link === null).length).toBeGreaterThanOrEqual(60);
  });

  it('detects ≥ 99 % of the links, each span pointing into the original text, and no false positive', () => {
    const links = cases.filter((c) => c.link !== null);
    const missed = links.filter((c) => {
      const spans = findLinks(c.text, { allowedDomains: PLATFORM });
      for (const s of spans) expect(c.text.slice(s.start, s.end)).toBe(s.text);
      return !spans.some((s) => hostOf(s.url) === hostOf(`http://${c.link}`));
    });
    const falsePositives = cases.filter((c) => c.link === null && findLinks(c.text, { allowedDomains: PLATFORM }).length > 0);
    const rate = (links.length - missed.length) / links.length;
    console.log(`link corpus: ${links.length - missed.length}/${links.length} links detected (${(rate * 100).toFixed(1)} %), ` +
      `${falsePositives.length} false positives on ${cases.length - links.length} texts without links`);
    expect(missed.map((c) => c.text)).toEqual([]);
    expect(rate).toBeGreaterThanOrEqual(0.99);
    expect(falsePositives.map((c) => c.text)).toEqual([]);
  });

  it('marks the span in the original text, with the resolved link and why', () => {
    const text = '好货 ｅｘａｍｐｌｅ．ｃｏｍ and shop dot example dot com, mail me@example.org, bit.ly/x1';
    expect(findLinks(text).map(({ text: t, url, reason }) => [t, url, reason])).toEqual([
      ['ｅｘａｍｐｌｅ．ｃｏｍ', 'http://example.com', 'obfuscated'],
      ['shop dot example dot com', 'http://shop.example.com', 'obfuscated'],
      ['me@example.org', 'mailto:me@example.org', 'email'],
      ['bit.ly/x1', 'http://bit.ly/x1', 'shortener'],
    ]);
    const zw = 'buy at exa\u200bmple.com now';
    const [span] = findLinks(zw);
    expect(span).toMatchObject({ start: 7, end: 19, text: 'exa\u200bmple.com', url: 'http://example.com' });
  });

  it('allows the platform domains and their subdomains, not look-alikes', () => {
    expect(findLinks('https://shop.loopshop.dev/p/1 and loopshop.dev', { allowedDomains: PLATFORM })).toEqual([]);
    expect(findLinks('loopshop.dev.evil.com evil-loopshop.dev', { allowedDomains: PLATFORM }).map((s) => s.text)).toEqual(['loopshop.dev.evil.com', 'evil-loopshop.dev']);
  });
});
