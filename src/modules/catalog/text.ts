import sanitizeHtml from 'sanitize-html';

/** Tags after which a line break belongs in the plain text (so `<p>a</p><p>b</p>` is not "ab"). */
const BREAK_AFTER = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote|section|article|header|footer|pre|hr)\b[^>]*>/gi;

/**
 * HTML (or plain text) → plain text: every tag is removed (script/style with their content),
 * entities are decoded, control characters dropped. `multiline` keeps single blank lines
 * between paragraphs; otherwise all whitespace collapses to single spaces. Trimmed.
 */
export function plainText(input: string, opts: { multiline?: boolean } = {}): string {
  const stripped = sanitizeHtml(input.replace(BREAK_AFTER, '$&\n'), {
    allowedTags: [],
    allowedAttributes: {},
    disallowedTagsMode: 'discard',
  })
    // sanitize-html re-escapes these three in text; the result is text, not HTML.
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  // eslint-disable-next-line no-control-regex
  const clean = stripped.normalize('NFC').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  if (!opts.multiline) return clean.replace(/\s+/g, ' ').trim();
  return clean
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Length in user-visible code points (an emoji counts once). */
export const textLength = (s: string): number => [...s].length;
