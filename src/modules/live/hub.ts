import { randomBytes } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/db.js';
import { publish, subscribe } from '../../platform/pubsub.js';
import { PRESENCE_TTL_MS, roomState, setPresence, TOPIC, touchPresence, type RoomState } from './service.js';

/** One SSE connection, as the hub sees it. */
export interface RoomClient {
  send(event: string, data: unknown): void;
  close(): void;
}

interface Room {
  /** Connected. */
  clients: Set<RoomClient>;
  /** Connected and counted as viewers (the session's creator watching their own room is not). */
  viewers: Set<RoomClient>;
  /** Connected and sent their snapshot: only these get changes (and are closed at the end). */
  ready: Set<RoomClient>;
  /** What this process last told its clients (the base for the next diff). */
  last: RoomState | null;
  refreshing: boolean;
  dirty: boolean;
  /** Presence writes of this room, one after the other (the latest count wins). */
  presence: Promise<void>;
}

export interface HubOptions {
  /** Re-read every room with viewers this often, notification or not. */
  refreshMs: number;
  heartbeatMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * The live rooms of one server process. Every change to a session (status, pin, allotment, a
 * purchase, a viewer joining or leaving anywhere) is published on the `live` topic; each process
 * listens, re-reads the state of the rooms it has viewers for and sends its SSE clients what
 * changed: `viewers`, `pinned`, `stock`, `purchase`, `status`, `ended` (after an initial
 * `snapshot`). Messages only say "look again", so a missed one costs nothing but latency: rooms
 * are also re-read every `refreshMs` (which also catches stock sold outside the room).
 * Viewers: each process writes its own count per room (`live_viewers`, heartbeat); the count
 * shown is the sum of the fresh rows.
 */
export class LiveHub {
  readonly nodeId = `node_${randomBytes(8).toString('hex')}`;
  private readonly rooms = new Map<string, Room>();
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => Promise<void>) | null = null;
  private closed = false;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly opts: HubOptions,
  ) {}

  private get db() {
    return this.database.db;
  }

  async start(): Promise<void> {
    this.unsubscribe = await subscribe(this.database, TOPIC, (m) => {
      if (typeof m.live_id === 'string' && this.rooms.has(m.live_id)) this.refresh(m.live_id);
    });
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.refreshMs, () => {
      for (const id of this.rooms.keys()) this.refresh(id);
    });
    every(this.opts.heartbeatMs ?? PRESENCE_TTL_MS / 3, () => {
      touchPresence(this.db, this.clock, this.nodeId, [...this.rooms.keys()]).catch((e) => this.error(e));
    });
  }


  /**
   * A viewer joins: counted (unless `counted: false`), told the whole room (`snapshot`), then kept up to date. An ended
   * session gets its snapshot and `ended`, and is closed. Returns the function that leaves.
   */
  async join(liveId: string, client: RoomClient, opts: { counted?: boolean } = {}): Promise<() => Promise<void>> {
    let room = this.rooms.get(liveId);
    if (!room) {
      room = { clients: new Set(), viewers: new Set(), ready: new Set(), last: null, refreshing: false, dirty: false, presence: Promise.resolve() };
      this.rooms.set(liveId, room);
    }
    room.clients.add(client);
    if (opts.counted !== false) room.viewers.add(client);
    let left = false;
    const leave = async () => {
      if (left) return;
      left = true;
      const r = this.rooms.get(liveId);
      r?.ready.delete(client);
      r?.viewers.delete(client);
      if (!r?.clients.delete(client)) return;
      if (r.clients.size === 0) this.rooms.delete(liveId);
      await this.writePresence(liveId, r);
    };
    await this.writePresence(liveId, room);
    const state = await roomState(this.db, this.clock, liveId);
    client.send('snapshot', state);
    room.last ??= state;
    if (room.clients.has(client)) room.ready.add(client);
    if (state.live.status === 'ended') {
      client.send('ended', { live: state.live });
      client.close();
      await leave();
    }
    return leave;
  }

  private writePresence(liveId: string, room: Room): Promise<void> {
    room.presence = room.presence
      .then(async () => {
        if (this.closed) return;
        await setPresence(this.db, this.clock, liveId, this.nodeId, room.viewers.size);
        await publish(this.db, TOPIC, { live_id: liveId, kind: 'viewers' });
      })
      .catch((e) => this.error(e));
    return room.presence;
  }

  /** Re-reads a room and sends the differences; calls during a read fold into one more read. */
  private refresh(liveId: string): void {
    const room = this.rooms.get(liveId);
    if (!room || this.closed) return;
    if (room.refreshing) {
      room.dirty = true;
      return;
    }
    room.refreshing = true;
    void (async () => {
      try {
        do {
          room.dirty = false;
          const next = await roomState(this.db, this.clock, liveId);
          this.send(room, next);
        } while (room.dirty && !this.closed);
      } catch (e) {
        this.error(e);
      } finally {
        room.refreshing = false;
      }
    })();
  }

  private send(room: Room, next: RoomState): void {
    const last = room.last;
    room.last = next;
    const events: Array<[string, unknown]> = [];
    if (!last || last.viewers !== next.viewers) events.push(['viewers', { viewers: next.viewers }]);
    const pinnedKey = (s: RoomState) => JSON.stringify([s.live.pinned_product_id, s.live.products.map((p) => p.id)]);
    if (!last || pinnedKey(last) !== pinnedKey(next)) events.push(['pinned', { pinned: next.pinned, products: next.live.products }]);
    const stockKey = (s: RoomState) => JSON.stringify([s.pinned?.skus.map((k) => [k.sku_id, k.available, k.allotment]), s.live.allotments]);
    if (!last || stockKey(last) !== stockKey(next)) {
      events.push(['stock', { product_id: next.pinned?.id ?? null, skus: next.pinned?.skus ?? [], allotments: next.live.allotments }]);
    }
    const seen = new Set(last?.purchases.map((p) => p.id) ?? []);
    for (const p of [...next.purchases].reverse()) if (!seen.has(p.id)) events.push(['purchase', { purchase: p }]);
    if (last && last.live.status !== next.live.status) {
      events.push(next.live.status === 'ended' ? ['ended', { live: next.live }] : ['status', { live: next.live }]);
    }
    for (const client of room.ready) {
      for (const [event, data] of events) client.send(event, data);
      if (next.live.status === 'ended') client.close();
    }
  }

  private error(e: unknown): void {
    if (!this.closed) this.opts.onError?.(e);
  }

  /** Stops listening, closes every connection and takes this process's viewers off the counts. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of this.timers) clearInterval(t);
    await this.unsubscribe?.().catch(() => undefined);
    const rooms = [...this.rooms];
    this.rooms.clear();
    for (const [, room] of rooms) for (const c of room.clients) c.close();
    for (const [id, room] of rooms) {
      await room.presence;
      await setPresence(this.db, this.clock, id, this.nodeId, 0).catch(() => undefined);
      await publish(this.db, TOPIC, { live_id: id, kind: 'viewers' }).catch(() => undefined);
    }
    this.closed = true;
  }
}
