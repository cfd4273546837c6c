import sanitizeHtml from 'sanitize-html';
import { badRequest } from './errors.js';

/** Tags after which a line break belongs in the plain text (so `<p>a</p><p>b</p>` is not "ab"). */
const BREAK_AFTER = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote|section|article|header|footer|pre|hr)\b[^>]*>/gi;
/** What an HTML parser would take for the start of a tag, comment or declaration. */
const TAG_START = /<(?=[a-z!/?])/gi;
const MAX_PASSES = 8;

/** One pass: every tag removed (script/style with their content), entities decoded once. */
function stripOnce(input: string): string {
  return (
    sanitizeHtml(input.replace(BREAK_AFTER, '$&\n'), { allowedTags: [], allowedAttributes: {}, disallowedTagsMode: 'discard' })
      // sanitize-html re-escapes these three in text; the result is text, not HTML.
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  );
}

/**
 * HTML (or plain text) → plain text that never becomes markup: tags are removed and entities
 * decoded, repeatedly until nothing changes, so an encoded tag (`&lt;img onerror=…&gt;`,
 * `&#60;script&#62;`, `&amp;lt;script&amp;gt;`) or a nested one (`<scr<script>ipt>`) is removed
 * too rather than decoded into a live tag. Whatever still reads like a tag start afterwards loses
 * its `<`. Control characters are dropped. `multiline` keeps single blank lines between
 * paragraphs; otherwise all whitespace collapses to single spaces. Trimmed.
 */
export function plainText(input: string, opts: { multiline?: boolean } = {}): string {
  let text = input;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = stripOnce(text);
    if (next === text) break;
    text = next;
  }
  // Removing one `<` can join another to what follows (`<</`): repeat until none is left.
  for (let before = ''; before !== text; ) {
    before = text;
    text = text.replace(TAG_START, '');
  }
  // eslint-disable-next-line no-control-regex
  const clean = text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
  if (!opts.multiline) return clean.replace(/\s+/g, ' ').trim();
  return clean
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Bidirectional embedding, override and isolate controls: they reorder how a name reads. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * A name (user, shop, warehouse, company, contact) as stored: plain text on one line — no tags or
 * entities (plainText), no control or bidi-override characters, whitespace collapsed, trimmed.
 * Blank afterwards (or longer than `max` code points): 400 `validation_failed` on `field`.
 */
export function plainName(input: string, field: string, max = 200): string {
  const name = plainText(input).replace(BIDI_CONTROLS, '').replace(/\s+/g, ' ').trim();
  if (!name) throw badRequest('validation_failed', `${field} must not be blank`, [{ field: `/${field}`, rule: 'minLength', message: 'must not be blank', params: {} }]);
  if (textLength(name) > max) throw badRequest('validation_failed', `${field} is at most ${max} characters`, [{ field: `/${field}`, rule: 'maxLength', message: `must be at most ${max} characters`, params: { limit: max } }]);
  return name;
}

/** Length in user-visible code points (an emoji counts once). */
export const textLength = (s: string): number => [...s].length;
