import { caseLifecycle } from './modules/aftersales/index.js';
import { orderLifecycle } from './modules/orders/index.js';
import { shipmentLifecycle } from './modules/fulfillment/index.js';
import { importLifecycle } from './modules/imports/index.js';
import { liveLifecycle } from './modules/live/index.js';
import { applicationLifecycle } from './modules/sellers/index.js';
import { payoutLifecycle } from './modules/settlement/index.js';
import type { Lifecycle } from './platform/lifecycle.js';

/** One lifecycle as the docs show it: its title and the file its table lives in. */
export interface DocumentedLifecycle {
  title: string;
  file: string;
  lifecycle: Lifecycle<string, string>;
}

/**
 * Every lifecycle of the platform, in the order docs/architecture.md draws them.
 */
export const LIFECYCLES: readonly DocumentedLifecycle[] = [
  { title: 'Order', file: 'src/modules/orders/lifecycle.ts', lifecycle: orderLifecycle },
  { title: 'Shipment', file: 'src/modules/fulfillment/lifecycle.ts', lifecycle: shipmentLifecycle },
  { title: 'After-sales case', file: 'src/modules/aftersales/lifecycle.ts', lifecycle: caseLifecycle },
  { title: 'Seller application', file: 'src/modules/sellers/lifecycle.ts', lifecycle: applicationLifecycle },
  { title: 'Live session', file: 'src/modules/live/lifecycle.ts', lifecycle: liveLifecycle },
  { title: 'Payout', file: 'src/modules/settlement/lifecycle.ts', lifecycle: payoutLifecycle },
  { title: 'Product import', file: 'src/modules/imports/lifecycle.ts', lifecycle: importLifecycle },
];

export const DOCS_START = '<!-- lifecycles:start -->';
export const DOCS_END = '<!-- lifecycles:end -->';

/** The Markdown between the markers: one Mermaid state diagram per lifecycle, from its table. */
export function lifecycleDocs(lifecycles: readonly DocumentedLifecycle[] = LIFECYCLES): string {
  const parts = [DOCS_START, '<!-- Generated from the transition tables by `npx tsx scripts/lifecycle-docs.ts`: edit the tables, not this. -->'];
  for (const { title, file, lifecycle } of lifecycles) {
    parts.push('', `### ${title}`, '', `\`${lifecycle.name}\` in [\`${file}\`](../${file}).`, '', '```mermaid', lifecycle.mermaid(), '```');
  }
  parts.push(DOCS_END);
  return parts.join('\n');
}

/** `markdown` with the part between the markers replaced by `lifecycleDocs()`; both markers must be there. */
export function withLifecycleDocs(markdown: string, lifecycles: readonly DocumentedLifecycle[] = LIFECYCLES): string {
  const start = markdown.indexOf(DOCS_START);
  const end = markdown.indexOf(DOCS_END);
  if (start < 0 || end < start) throw new Error(`the markers ${DOCS_START} … ${DOCS_END} are missing`);
  return markdown.slice(0, start) + lifecycleDocs(lifecycles) + markdown.slice(end + DOCS_END.length);
}
