import { prepareDemo } from '../../src/demo/prepared.js';

/**
 * Once before the browser tests: the prepared demo (src/demo/prepared.ts) for the current seed,
 * so servers started on an empty data directory copy it instead of each making it.
 * `npm install` has usually made it already; after a change to the seed it is made here, once.
 */
export default async function setup(): Promise<void> {
  await prepareDemo({ log: (line) => console.log(`[demo] ${line}`) });
}
