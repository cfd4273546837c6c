/**
 * Writes the Mermaid state diagram of every lifecycle (src/lifecycles.ts) into
 * docs/architecture.md between `<!-- lifecycles:start -->` and `<!-- lifecycles:end -->`.
 * Run: npx tsx scripts/lifecycle-docs.ts. src/lifecycles.test.ts fails while the file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withLifecycleDocs } from '../src/lifecycles.js';

const file = path.join(import.meta.dirname, '..', 'docs', 'architecture.md');
const before = readFileSync(file, 'utf8');
const after = withLifecycleDocs(before);
if (after === before) console.log('docs/architecture.md: lifecycles up to date');
else {
  writeFileSync(file, after);
  console.log('docs/architecture.md: lifecycles written');
}
