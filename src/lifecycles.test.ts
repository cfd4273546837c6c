import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIFECYCLES, withLifecycleDocs } from './lifecycles.js';

describe('lifecycle docs', () => {
  it('docs/architecture.md draws every transition table as scripts/lifecycle-docs.ts writes it (run it after changing a table)', () => {
    const markdown = readFileSync(path.join(import.meta.dirname, '..', 'docs', 'architecture.md'), 'utf8');
    expect(markdown).toBe(withLifecycleDocs(markdown));
  });

  it('notices a diagram that drifted from its table, and missing markers', () => {
    const drifted = withLifecycleDocs('x\n<!-- lifecycles:start --><!-- lifecycles:end -->\n').replace('in_transit --> paid', 'in_transit --> failed');
    expect(withLifecycleDocs(drifted)).not.toBe(drifted);
    expect(() => withLifecycleDocs('no markers')).toThrow(/markers/);
  });

  it('lists each lifecycle once', () => {
    const names = LIFECYCLES.map((l) => l.lifecycle.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
