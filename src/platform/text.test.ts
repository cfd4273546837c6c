import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWarehouse } from '../modules/inventory/index.js';
import { createShop } from '../modules/sellers/index.js';
import { useTestApp } from '../test/app.js';
import { csvCell, toCsv } from './csv.js';
import { plainName, plainText } from './text.js';

/** Decodes HTML character references until nothing changes (what any later HTML consumer could do). */
function decodeAll(s: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", sol: '/', excl: '!', quest: '?' };
  for (let i = 0; i < 20; i++) {
    const next = s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (m, ref: string) => {
      if (ref[0] === '#') {
        const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return cp > 0 && cp < 0x110000 ? String.fromCodePoint(cp) : m;
      }
      return named[ref.toLowerCase()] ?? m;
    });
    if (next === s) return s;
    s = next;
  }
  return s;
}
const TAG = /<[a-z!/?]/i;

describe('stored text never becomes markup (issue 14, hole 6)', () => {
  it('encoded, double-encoded and nested tags are removed, not decoded into live tags', () => {
    const attacks = [
      '&lt;img src=x onerror=alert(1)&gt;',
      '&#60;script&#62;alert(1)&#60;/script&#62;',
      '&#x3c;svg onload=alert(1)&#x3e;',
      '&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;',
      '&amp;amp;lt;img src=x onerror=alert(1)&amp;amp;gt;',
      '<scr<script>ipt>alert(1)</script>',
      '<<script>script>alert(1)<</script>/script>',
      '&lt;!-- comment --&gt;',
      'Nice tent &lt;a href="javascript:alert(1)"&gt;click&lt;/a&gt;',
    ];
    for (const a of attacks) {
      for (const multiline of [false, true]) {
        const out = plainText(a, { multiline });
        expect(decodeAll(out), `${a} → ${out}`).not.toMatch(TAG);
      }
    }
    expect(plainText('&lt;img src=x onerror=alert(1)&gt;Tent')).toBe('Tent');
    expect(plainText('Nice tent &lt;a href="x"&gt;click&lt;/a&gt;')).toBe('Nice tent click');
  });

  it('plain text survives: comparisons, ampersands, hearts, paragraphs', () => {
    expect(plainText('AT&amp;T &amp; 5 < 6 > 2')).toBe('AT&T & 5 < 6 > 2');
    expect(plainText('Tom & Jerry <3')).toBe('Tom & Jerry <3');
    expect(plainText('<p>one</p><p>two</p>', { multiline: true })).toBe('one\n\ntwo');
    expect(plainText('x &lt; y')).toBe('x < y');
  });

  it('property: whatever mix of tag and entity pieces, the output decoded any number of times holds no tag', () => {
    const piece = fc.constantFrom('<', '>', '&', '&lt;', '&gt;', '&amp;', '&#60;', '&#x3C;', '&#62;', 'lt;', 'gt;', 'amp;', '#60;', 'script', 'img', ' src=x onerror=alert(1)', '/', '!--', '?', 'a', ' ', '"', '\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.boolean(), (parts, multiline) => {
        const out = plainText(parts.join(''), { multiline });
        expect(decodeAll(out)).not.toMatch(TAG);
      }),
      { numRuns: 400 },
    );
  });

  it('names are plain text on one line: tags and entities gone, control and bidi characters dropped, blank refused', () => {
    expect(plainName('  <b>Bob</b>  the\tBuilder ', 'name')).toBe('Bob the Builder');
    expect(plainName('Ann\u0007\u202e\u0085 Lee', 'name')).toBe('Ann Lee');
    expect(plainName('Tom &amp; Jerry', 'name')).toBe('Tom & Jerry');
    expect(() => plainName('&lt;img src=x onerror=alert(1)&gt;', 'name')).toThrow(expect.objectContaining({ code: 'validation_failed', status: 400 }));
    expect(() => plainName('x'.repeat(101), 'name', 100)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});

describe('names as stored by users, shops and warehouses', () => {
  const t = useTestApp();

  it('sign-up and profile names, shop and warehouse names keep no tags', async () => {
    const signUp = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-up',
      payload: { email: 'tags@test.loopshop.dev', password: 'correct horse battery staple', name: '<img src=x onerror=alert(1)>Ivy' },
    });
    expect(signUp.statusCode, signUp.body).toBe(201);
    expect(signUp.json().user.name).toBe('Ivy');
    const a = await t.account();
    const patched = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: a.auth, payload: { name: '&lt;script&gt;alert(1)&lt;/script&gt;Max' } });
    expect([patched.statusCode, patched.json().user.name]).toEqual([200, 'Max']);
    const blank = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: a.auth, payload: { name: '<b></b>' } });
    expect([blank.statusCode, blank.json().error.code]).toEqual([400, 'validation_failed']);

    const shop = await createShop(t.db, t.clock, { name: '<script>x</script>Trail <i>Co</i>', market: 'US', currency: 'USD', timezone: 'America/New_York', ownerId: a.id });
    expect(shop.name).toBe('Trail Co');
    const wh = await createWarehouse(t.db, t.clock, shop.id, { name: 'Main &lt;img src=x onerror=alert(1)&gt; dock' });
    expect(wh.name).toBe('Main dock');
  });
});

describe('CSV exports neutralize formulas (issue 14, hole 6)', () => {
  it('text cells starting with = + - @, tab or CR (also full-width, after spaces) get a leading quote', () => {
    for (const s of ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '＝1+1', '  =1+1', '-12.50']) {
      expect(csvCell(s).replace(/^"/, ''), JSON.stringify(s)).toMatch(/^'/);
    }
    expect(csvCell('Lamp tutorial')).toBe('Lamp tutorial');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
  });

  it('numbers stay numbers: a negative amount is not prefixed', () => {
    expect(csvCell(-1250)).toBe('-1250');
    expect(toCsv([{ title: '=cmd|calc', refund: { amount: -1250, currency: 'USD' }, note: '-12.50' }])).toBe(
      "title,refund,refund_currency,note\r\n'=cmd|calc,-1250,USD,'-12.50\r\n",
    );
  });
});
