import http from 'node:http';
import type { TestApp } from '../../test/app.js';
import { readSse } from '../../test/sse.js';
import { createProduct } from '../catalog/index.js';
import { createShop } from '../sellers/index.js';
import { stockKeeper } from '../inventory/index.js';

/** Test fixtures for live selling (used by *.test.ts only). */

export interface Creator {
  id: string;
  auth: { authorization: string };
}

/** A creator who owns a shop with one live product (one SKU per given stock figure). */
export async function creatorWithShop(t: TestApp, opts: { name?: string; price?: number; stock: number[] }) {
  const a = await t.account({ roles: ['buyer', 'creator'], name: opts.name ?? 'Live Creator' });
  const shop = await createShop(t.db, t.clock, { name: `${opts.name ?? 'Live'} Shop`, market: 'US', currency: 'USD', timezone: 'UTC', shippingFee: 0, ownerId: a.id });
  const product = await createProduct(t.db, t.clock, stockKeeper, shop.id, {
    title: `${opts.name ?? 'Live'} product`,
    status: 'live',
    option_names: opts.stock.length > 1 ? ['Size'] : [],
    variants: opts.stock.map((onHand, i) => ({
      option_values: opts.stock.length > 1 ? [`S${i}`] : [],
      price: { amount: opts.price ?? 1500, currency: 'USD' },
      stock: { on_hand: onHand },
    })),
  });
  return { creator: { id: a.id, auth: a.auth } as Creator, shopId: shop.id, productId: product.id, skuIds: product.variants.map((v) => v.sku_id) };
}

/** Rooms never re-read on a timer: whatever a viewer gets came through a notification. */
export const NO_REFRESH = { liveRefreshMs: 3_600_000 };

export const STREAM_URL = 'https://video.example.com/live/room.m3u8';

export interface SseEvent {
  event: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** An SSE connection read event by event (Node's http, so nothing is buffered or retried). */
export interface SseStream {
  status: number;
  contentType: string;
  /** The next event (after those already taken) matching `pred`, or a rejection after `timeoutMs`. */
  next(pred?: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  ended: Promise<void>;
  close(): void;
}

export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const queue: SseEvent[] = [];
      const waiters: Array<() => void> = [];
      let endResolve: () => void;
      const ended = new Promise<void>((r) => (endResolve = r));
      readSse(res, (blocks) => {
        for (const { event = 'message', data } of blocks) {
          if (data.length > 0) queue.push({ event, data: JSON.parse(data.join('\n')) });
        }
        for (const w of waiters.splice(0)) w();
      });
      res.on('end', () => {
        endResolve();
        for (const w of waiters.splice(0)) w();
      });
      res.on('close', () => endResolve());
      let done = false;
      const next = (pred: (e: SseEvent) => boolean = () => true, timeoutMs = 10_000) =>
        new Promise<SseEvent>((ok, fail) => {
          const timer = setTimeout(() => fail(new Error(`no matching SSE event within ${timeoutMs} ms; got ${JSON.stringify(queue.map((e) => e.event))}`)), timeoutMs);
          const look = () => {
            const i = queue.findIndex(pred);
            if (i >= 0) {
              clearTimeout(timer);
              ok(queue.splice(0, i + 1).pop()!);
            } else if (res.readableEnded || done) {
              clearTimeout(timer);
              fail(new Error('stream ended'));
            } else waiters.push(look);
          };
          look();
        });
      resolve({
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type'] ?? ''),
        next,
        ended,
        close: () => {
          done = true;
          req.destroy();
        },
      });
    });
    req.on('error', reject);
  });
}
