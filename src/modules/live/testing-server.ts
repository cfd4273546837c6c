/**
 * Test support (live.test.ts): a second server process over `DATABASE_URL`, the way a second
 * node runs in production, on a settable clock at `LOOPSHOP_TEST_NOW`. Rooms re-read only on
 * notifications (no periodic refresh), so what reaches its SSE clients came over LISTEN/NOTIFY.
 * Prints `{ "url": … }` once listening; SIGTERM closes it.
 */
import { createApp } from '../../app.js';
import { SettableClock } from '../../platform/clock.js';
import { loadConfig } from '../../platform/config.js';
import { openDatabase } from '../../platform/db.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const database = await openDatabase({ url, poolSize: 4 });
const clock = new SettableClock(process.env.LOOPSHOP_TEST_NOW ?? new Date().toISOString());
const config = loadConfig({}, { seedDemo: false, webDist: '/nonexistent', liveRefreshMs: 3_600_000 });
const app = await createApp({ database, clock, config });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url: address })}\n`);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => database.close())
    .finally(() => process.exit(0));
});
