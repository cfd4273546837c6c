import { sql } from 'drizzle-orm';
import { rows, type Db } from '../platform/db.js';
import { reconcile } from '../modules/ledger/index.js';

/**
 * What must hold after any run, read straight from the database with SQL. The harness reads the
 * tables rather than the API because the API shows each actor only its own objects and no
 * endpoint lists every order, reservation, refund or ledger posting; and because a check must
 * see one consistent snapshot of many tables (it runs in one REPEATABLE READ transaction on
 * PostgreSQL; PGlite has one connection, so it is a snapshot too).
 *
 * `final` adds what must hold once the run has drained (the clock moved past every deadline and
 * the due jobs ran): nothing left pending, every completed order without a hold settled.
 */
export interface Ack {
  kind: 'order_paid' | 'payment_declined' | 'order_cancelled' | 'shipment' | 'case' | 'stock_set';
  id: string;
  /** order_paid: the payment; shipment, case: the order. */
  ref?: string;
}

export interface SkuSupply {
  id: string;
  initial: number;
  sets: number[];
  hot: boolean;
}

export interface InvariantInput {
  final: boolean;
  acks: Ack[];
  skus: SkuSupply[];
  /** The platform time the checks are made at (the simulated clock). */
  now: Date;
}

export interface InvariantReport {
  ok: boolean;
  problems: string[];
  counts: Record<string, number>;
}

const MAX_PER_CHECK = 20;

export async function checkInvariants(db: Db, input: InvariantInput): Promise<InvariantReport> {
  const problems: string[] = [];
  const add = (check: string, found: unknown[], describe: (r: never) => string) => {
    for (const r of found.slice(0, MAX_PER_CHECK)) problems.push(`${check}: ${describe(r as never)}`);
    if (found.length > MAX_PER_CHECK) problems.push(`${check}: … ${found.length - MAX_PER_CHECK} more`);
  };
  const ledger = await reconcile(db);
  if (!ledger.balanced) add('ledger', ledger.problems, (p: { message: string }) => p.message);

  const counts = await db.transaction(
    async (tx) => {
      const now = input.now.toISOString();
      // Per order: what escrow received, gave back and released, from the ledger and the refund rows.
      const orderMoney = sql`
        with esc as (
          select substring(p.account from 8) as order_id,
                 sum(case when e.kind = 'payment_capture' then p.amount else 0 end) as captured,
                 count(*) filter (where e.kind = 'payment_capture') as captures,
                 -sum(case when e.kind = 'refund' then p.amount else 0 end) as refunded,
                 -sum(case when e.kind = 'settlement' then p.amount else 0 end) as released,
                 count(*) filter (where e.kind = 'settlement') as releases,
                 sum(case when e.kind not in ('payment_capture', 'refund', 'settlement') then 1 else 0 end) as other,
                 sum(p.amount) as balance
          from ledger_postings p join ledger_entries e on e.id = p.entry_id
          where p.account like 'escrow:%' group by 1
        ), rf as (
          select order_id, sum(amount) as all_refunds
          from refunds where order_id is not null group by order_id
        )
        select o.id, o.status, o.total::bigint as total, o.refunded_amount::bigint as refunded_amount, (o.paid_at is not null) as was_paid,
               coalesce(esc.captured, 0)::bigint as captured, coalesce(esc.captures, 0)::int as captures,
               coalesce(esc.refunded, 0)::bigint as refunded, coalesce(esc.released, 0)::bigint as released,
               coalesce(esc.releases, 0)::int as releases, coalesce(esc.other, 0)::int as other, coalesce(esc.balance, 0)::bigint as balance,
               coalesce(rf.all_refunds, 0)::bigint as all_refunds,
               s.held::bigint as settled_held,
               exists (select 1 from escrow_holds h where h.order_id = o.id and h.lifted_at is null) as on_hold
        from orders o left join esc on esc.order_id = o.id left join rf on rf.order_id = o.id
        left join settlements s on s.order_id = o.id`;
      type OrderMoney = {
        id: string; status: string; total: number; refunded_amount: number; was_paid: boolean; captured: number; captures: number;
        refunded: number; released: number; releases: number; other: number; balance: number; all_refunds: number;
        settled_held: number | null; on_hold: boolean;
      };
      const money = (await rows<OrderMoney>(tx, orderMoney)).map((r) => ({
        ...r,
        ...Object.fromEntries(['total', 'refunded_amount', 'captured', 'refunded', 'released', 'balance', 'all_refunds'].map((k) => [k, Number(r[k as keyof OrderMoney])])),
        settled_held: r.settled_held === null ? null : Number(r.settled_held),
      })) as OrderMoney[];
      const o = (r: OrderMoney) => `${r.id} (${r.status}, total ${r.total}, captured ${r.captured}, refunded ${r.refunded}, released ${r.released}, escrow ${r.balance})`;
      add('escrow', money.filter((r) => r.balance !== r.captured - r.refunded - r.released || r.balance < 0 || r.other > 0), (r: OrderMoney) => `escrow of ${o(r)} is not captured − refunded − released ≥ 0`);
      add('capture', money.filter((r) => r.captures > 1 || (r.was_paid ? r.captured !== r.total : r.captured !== 0)), (r: OrderMoney) => `${o(r)} paid=${r.was_paid} has ${r.captures} capture(s)`);
      add('paid_status', money.filter((r) => ['paid', 'shipped', 'delivered', 'completed'].includes(r.status) && !r.was_paid), (r: OrderMoney) => `${o(r)} has no payment`);
      // One refund path (decision 017): every refund of an order, cancellation or after-sales, is a refund row, a ledger refund and part of refunded_amount.
      add('refund_rows', money.filter((r) => r.refunded !== r.all_refunds || r.all_refunds !== r.refunded_amount), (r: OrderMoney) => `${o(r)}: refund rows ${r.all_refunds} vs ledger refunds ${r.refunded} and refunded_amount ${r.refunded_amount}`);
      add('cancelled', money.filter((r) => r.status === 'cancelled' && r.balance !== 0), (r: OrderMoney) => `cancelled ${o(r)} still holds escrow`);
      add('refunded', money.filter((r) => r.status === 'refunded' && r.refunded !== r.total), (r: OrderMoney) => `refunded ${o(r)} is not fully refunded`);
      add('settlement', money.filter((r) => r.releases > 1 || (r.settled_held !== null && r.settled_held !== r.released) || (r.releases > 0 && r.settled_held === null)), (r: OrderMoney) => `${o(r)} released ${r.releases} time(s), settlement row held ${r.settled_held}`);
      add('settlement', money.filter((r) => r.settled_held !== null && r.status !== 'completed'), (r: OrderMoney) => `${o(r)} settled but not completed`);
      add('settlement', money.filter((r) => r.settled_held !== null && r.balance !== 0), (r: OrderMoney) => `${o(r)} settled with escrow left`);
      if (input.final) {
        add('unsettled', money.filter((r) => r.status === 'completed' && !r.on_hold && r.settled_held === null), (r: OrderMoney) => `completed ${o(r)} without a hold was never settled`);
      }

      // Payments: what the orders and refunds say must match the payment row.
      const pay = await rows<{ id: string; status: string; amount: number; refunded_amount: number; orders_total: number; paid_orders: number; orders: number; refunds: number; late: number; expires_at: string }>(
        tx,
        sql`select p.id, p.status, p.amount::bigint as amount, p.refunded_amount::bigint as refunded_amount, p.expires_at::text,
                   (select coalesce(sum(total), 0) from orders o where o.payment_id = p.id)::bigint as orders_total,
                   (select count(*) from orders o where o.payment_id = p.id and o.paid_at is not null)::int as paid_orders,
                   (select count(*) from orders o where o.payment_id = p.id)::int as orders,
                   (select coalesce(sum(amount), 0) from refunds r where r.payment_id = p.id)::bigint as refunds,
                   (select coalesce(sum(amount), 0) from refunds r where r.payment_id = p.id and r.order_id is null)::bigint as late
            from payments p`,
      );
      for (const p of pay) for (const k of ['amount', 'refunded_amount', 'orders_total', 'refunds', 'late'] as const) p[k] = Number(p[k]);
      const paidStatuses = ['succeeded', 'refunded', 'partially_refunded'];
      add('payment', pay.filter((p) => p.amount !== p.orders_total || p.refunds !== p.refunded_amount), (p: (typeof pay)[number]) => `${p.id} (${p.status}) amount ${p.amount} vs orders ${p.orders_total}, refunded ${p.refunded_amount} vs refund rows ${p.refunds}`);
      add(
        'payment',
        pay.filter((p) => (p.late > 0 ? p.paid_orders > 0 || p.late !== p.amount : paidStatuses.includes(p.status) ? p.paid_orders !== p.orders : p.paid_orders > 0)),
        (p: (typeof pay)[number]) => `${p.id} (${p.status}) has ${p.paid_orders} of ${p.orders} orders paid (late-capture refunds ${p.late})`,
      );
      if (input.final) {
        add('pending', pay.filter((p) => ['pending', 'requires_action'].includes(p.status) && new Date(p.expires_at) < input.now), (p: (typeof pay)[number]) => `${p.id} is still ${p.status} after its deadline ${p.expires_at}`);
      }

      // Stock: the stored reserved figure is what is held; sold units match the paid orders' items.
      add(
        'stock_row',
        await rows<{ sku_id: string; warehouse_id: string; on_hand: number; reserved: number; held: number }>(
          tx,
          sql`select s.sku_id, s.warehouse_id, s.on_hand, s.reserved,
                     (select coalesce(sum(quantity), 0) from reservations r where r.sku_id = s.sku_id and r.warehouse_id = s.warehouse_id
                        and (r.status = 'active' or (r.status = 'committed' and r.fold_pending)))::int as held
              from stock s where s.reserved <> (select coalesce(sum(quantity), 0) from reservations r where r.sku_id = s.sku_id and r.warehouse_id = s.warehouse_id
                        and (r.status = 'active' or (r.status = 'committed' and r.fold_pending))) or s.reserved < 0 or s.on_hand < s.reserved`,
        ),
        (r: { sku_id: string; warehouse_id: string; on_hand: number; reserved: number; held: number }) => `${r.sku_id}@${r.warehouse_id} on_hand ${r.on_hand} reserved ${r.reserved}, reservations hold ${r.held}`,
      );
      add(
        'sold',
        await rows<{ order_id: string; sku_id: string; ordered: number; committed: number; restocked: number; status: string }>(
          tx,
          sql`with items as (select order_id, sku_id, sum(quantity)::int as ordered from order_items group by 1, 2),
                   res as (select holder, sku_id, sum(quantity) filter (where status = 'committed')::int as committed,
                                  sum(quantity) filter (where status = 'restocked')::int as restocked
                           from reservations group by 1, 2)
              select o.id as order_id, i.sku_id, i.ordered, coalesce(res.committed, 0) as committed, coalesce(res.restocked, 0) as restocked, o.status
              from orders o join items i on i.order_id = o.id left join res on res.holder = o.id and res.sku_id = i.sku_id
              where o.paid_at is not null
                and not (case when o.status = 'cancelled' then coalesce(res.restocked, 0) = i.ordered and coalesce(res.committed, 0) = 0
                              else coalesce(res.committed, 0) = i.ordered and coalesce(res.restocked, 0) = 0 end)`,
        ),
        (r: { order_id: string; sku_id: string; ordered: number; committed: number; restocked: number; status: string }) =>
          `${r.status} order ${r.order_id} bought ${r.ordered} of ${r.sku_id}, reservations committed ${r.committed}, restocked ${r.restocked}`,
      );
      const supply = await rows<{ sku_id: string; on_hand: number; pending: number; committed: number }>(
        tx,
        sql`select k.id as sku_id,
                   (select coalesce(sum(on_hand), 0) from stock s where s.sku_id = k.id)::int as on_hand,
                   (select coalesce(sum(quantity), 0) from reservations r where r.sku_id = k.id and r.status = 'committed' and r.fold_pending)::int as pending,
                   (select coalesce(sum(quantity), 0) from reservations r where r.sku_id = k.id and r.status = 'committed')::int as committed
            from skus k`,
      );
      const bySku = new Map(supply.map((s) => [s.sku_id, s]));
      for (const k of input.skus) {
        const s = bySku.get(k.id);
        if (!s) {
          problems.push(`sku: ${k.id} is missing`);
          continue;
        }
        const left = s.on_hand - s.pending;
        if (k.hot && k.sets.length === 0 && left + s.committed !== k.initial) {
          problems.push(`oversold: hot SKU ${k.id} started with ${k.initial}, now ${left} left + ${s.committed} sold`);
        }
        if (s.committed > k.initial + k.sets.reduce((a, b) => a + b, 0)) {
          problems.push(`oversold: SKU ${k.id} sold ${s.committed} of ${k.initial} + restocks ${k.sets.join('+')}`);
        }
      }
      if (input.final) {
        add(
          'reservation',
          await rows<{ id: string; holder: string; expires_at: string }>(tx, sql`select id, holder, expires_at::text from reservations where status = 'active' and expires_at < ${now}::timestamptz`),
          (r: { id: string; holder: string; expires_at: string }) => `${r.id} of ${r.holder} still active after ${r.expires_at}`,
        );
      }

      // Holds: an open hold belongs to an open case or flag, and a finished one holds nothing.
      add(
        'hold',
        await rows<{ order_id: string; kind: string; ref: string }>(
          tx,
          sql`select h.order_id, h.kind, h.ref from escrow_holds h
              where h.lifted_at is null and not exists (
                select 1 from after_sales_cases c where h.kind = 'case' and c.id = h.ref and c.status not in ('refunded', 'resolved_buyer', 'resolved_seller', 'closed')
                union all select 1 from fulfillment_flags f where h.kind = 'flag' and f.id = h.ref and f.status = 'open')`,
        ),
        (r: { order_id: string; kind: string; ref: string }) => `open ${r.kind} hold ${r.ref} on ${r.order_id} has nothing open behind it`,
      );
      add(
        'hold',
        await rows<{ id: string; status: string }>(
          tx,
          sql`select c.id, c.status from after_sales_cases c where c.status not in ('refunded', 'resolved_buyer', 'resolved_seller', 'closed')
              and not exists (select 1 from escrow_holds h where h.kind = 'case' and h.ref = c.id and h.lifted_at is null)`,
        ),
        (r: { id: string; status: string }) => `open case ${r.id} (${r.status}) holds no escrow`,
      );
      add(
        'case_refund',
        await rows<{ id: string; status: string; amount: number; refunded: number; order_refunded: number }>(
          tx,
          sql`select c.id, c.status, c.amount, c.refunded_amount as refunded, o.refunded_amount as order_refunded
              from after_sales_cases c join orders o on o.id = c.order_id where c.refunded_amount > c.amount or c.refunded_amount > o.refunded_amount`,
        ),
        (r: { id: string; status: string; amount: number; refunded: number; order_refunded: number }) => `case ${r.id} (${r.status}) refunded ${r.refunded} of ${r.amount}; its order refunded ${r.order_refunded}`,
      );

      // The after-sales window: an order completes (and may be settled) only once it has closed, and
      // no case opens after it closed — a refund request racing settlement lands on one side.
      add(
        'window',
        await rows<{ id: string; delivered_at: string | null; completed_at: string }>(
          tx,
          sql`select o.id, o.delivered_at::text, o.completed_at::text from orders o join markets m on m.code = o.market
              where o.status = 'completed' and (o.delivered_at is null or o.completed_at is null
                    or o.completed_at < o.delivered_at + m.after_sales_window_ms * interval '1 millisecond')`,
        ),
        (r: { id: string; delivered_at: string | null; completed_at: string }) => `order ${r.id} completed at ${r.completed_at}, delivered ${r.delivered_at}: before its after-sales window closed`,
      );
      add(
        'window',
        await rows<{ id: string; order_id: string; created_at: string; completed_at: string | null }>(
          tx,
          sql`select c.id, c.order_id, c.created_at::text, o.completed_at::text from after_sales_cases c join orders o on o.id = c.order_id
              join markets m on m.code = o.market
              where (o.completed_at is not null and c.created_at >= o.completed_at)
                 or (o.delivered_at is not null and c.created_at >= o.delivered_at + m.after_sales_window_ms * interval '1 millisecond')`,
        ),
        (r: { id: string; order_id: string; created_at: string; completed_at: string | null }) => `case ${r.id} opened ${r.created_at} on ${r.order_id} after its window closed (completed ${r.completed_at})`,
      );

      // Jobs: a failed job is work the platform gave up on.
      add(
        'job',
        await rows<{ id: string; type: string; last_error: string }>(tx, sql`select id, type, last_error from jobs where status = 'failed' order by id`),
        (r: { id: string; type: string; last_error: string }) => `${r.type} ${r.id} failed: ${r.last_error}`,
      );
      if (input.final) {
        add(
          'job',
          await rows<{ id: string; type: string; attempts: number; last_error: string | null }>(
            tx,
            sql`select id, type, attempts, last_error from jobs where status = 'queued' and attempts > 0 and run_at < ${now}::timestamptz order by id`,
          ),
          (r: { id: string; type: string; attempts: number; last_error: string | null }) => `${r.type} ${r.id} is being retried (attempt ${r.attempts}): ${r.last_error}`,
        );
      }

      // Jobs run exactly once, whichever node claims them: judged by what the jobs leave behind.
      // Each order's escrow is released by at most one settlement entry (and one subsidy credit).
      add(
        'once',
        await rows<{ order_id: string; kind: string; n: number; settled: boolean }>(
          tx,
          sql`select e.reference as order_id, e.kind, count(*)::int as n, exists (select 1 from settlements s where s.order_id = e.reference) as settled
              from ledger_entries e where e.kind in ('settlement', 'commission_subsidy') group by 1, 2
              having count(*) > 1 or not exists (select 1 from settlements s where s.order_id = e.reference)`,
        ),
        (r: { order_id: string; kind: string; n: number; settled: boolean }) => `order ${r.order_id} has ${r.n} ${r.kind} entries${r.settled ? '' : ' and no settlement row'}`,
      );
      add(
        'once',
        await rows<{ order_id: string; held: number }>(
          tx,
          sql`select s.order_id, s.held::bigint as held from settlements s
              where s.held > 0 and not exists (select 1 from ledger_entries e where e.kind = 'settlement' and e.reference = s.order_id)`,
        ),
        (r: { order_id: string; held: number }) => `order ${r.order_id} was settled (held ${r.held}) without a settlement entry`,
      );
      // Each payout is booked out once and paid or failed at most once, as its row says.
      add(
        'once',
        await rows<{ id: string; status: string; booked: number; paid: number; failed: number }>(
          tx,
          sql`select p.id, p.status,
                     (select count(*) from ledger_entries e where e.reference = p.id and e.kind = 'payout')::int as booked,
                     (select count(*) from ledger_entries e where e.reference = p.id and e.kind = 'payout_paid')::int as paid,
                     (select count(*) from ledger_entries e where e.reference = p.id and e.kind = 'payout_failed')::int as failed
              from payouts p`,
        ).then((list) => list.filter((p) => p.booked !== 1 || p.paid !== (p.status === 'paid' ? 1 : 0) || p.failed !== (p.status === 'failed' ? 1 : 0))),
        (r: { id: string; status: string; booked: number; paid: number; failed: number }) =>
          `payout ${r.id} (${r.status}) has ${r.booked} payout, ${r.paid} payout_paid and ${r.failed} payout_failed entries`,
      );
      // A cancellation refunds an order once; a late capture is refunded once per payment.
      add(
        'once',
        await rows<{ ref: string; reason: string; n: number }>(
          tx,
          sql`select coalesce(order_id, payment_id) as ref, reason, count(*)::int as n from refunds
              where reason in ('order_cancelled', 'late_capture') group by 1, 2 having count(*) > 1`,
        ),
        (r: { ref: string; reason: string; n: number }) => `${r.ref} has ${r.n} ${r.reason} refunds`,
      );
      // A paid order's ship-by warning is emitted once, however many nodes swept.
      add(
        'once',
        await rows<{ order_id: string; n: number }>(
          tx,
          sql`select payload->>'order_id' as order_id, count(*)::int as n from domain_events where name = 'order.ship_by_near' group by 1 having count(*) > 1`,
        ),
        (r: { order_id: string; n: number }) => `order ${r.order_id} has ${r.n} ship-by warnings`,
      );
      // A recurring job whose next run is enqueued without a key (one chain per database) ran twice
      // if its chain forked: two runs of it are queued at once.
      add(
        'once',
        await rows<{ type: string; n: number }>(
          tx,
          sql`select type, count(*)::int as n from jobs j
              where status = 'queued'
                and exists (select 1 from jobs r where r.type = j.type and r.unique_key like 'recurring:%')
                and not exists (select 1 from jobs k where k.type = j.type and k.unique_key not like 'recurring:%')
              group by type having count(*) > 1`,
        ),
        (r: { type: string; n: number }) => `recurring job ${r.type} has ${r.n} runs queued: its chain forked (a run happened twice)`,
      );

      // Acknowledged writes: what a client was told happened is there.
      const ids = (kind: Ack['kind']) => input.acks.filter((a) => a.kind === kind);
      const present = async (table: string, list: Ack[], cond = sql`true`) => {
        if (list.length === 0) return new Set<string>();
        const found = await rows<{ id: string }>(
          tx,
          sql`select id from ${sql.raw(table)} where id in (${sql.join(list.map((a) => sql`${a.id}`), sql`, `)}) and ${cond}`,
        );
        return new Set(found.map((r) => r.id));
      };
      const missing = async (what: string, table: string, list: Ack[], cond?: ReturnType<typeof sql>) => {
        const found = await present(table, list, cond);
        add('acknowledged', list.filter((a) => !found.has(a.id)), (a: Ack) => `${what} ${a.id}${a.ref ? ` (${a.ref})` : ''} acknowledged to the client is missing or contradicts it`);
      };
      await missing('paid order', 'orders', ids('order_paid'), sql`paid_at is not null`);
      await missing('declined payment', 'payments', ids('payment_declined'), sql`status = 'declined'`);
      await missing('cancelled order', 'orders', ids('order_cancelled'), sql`status = 'cancelled'`);
      await missing('shipment', 'shipments', ids('shipment'));
      await missing('after-sales case', 'after_sales_cases', ids('case'));
      const n = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: number }>(tx, q))[0]?.n ?? 0);
      return {
        orders: money.length,
        paid_orders: money.filter((r) => r.was_paid).length,
        settled_orders: money.filter((r) => r.settled_held !== null).length,
        refunded_orders: money.filter((r) => r.refunded > 0).length,
        payments: pay.length,
        shipments: await n(sql`select count(*)::int as n from shipments`),
        cases: await n(sql`select count(*)::int as n from after_sales_cases`),
        webhook_events: await n(sql`select count(*)::int as n from webhook_events`),
        tracking_events: await n(sql`select count(*)::int as n from tracking_events`),
        jobs_done: await n(sql`select count(*)::int as n from jobs where status = 'done'`),
        ledger_entries: ledger.entries,
        acknowledged: input.acks.length,
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  return { ok: problems.length === 0, problems, counts };
}

// -------------------------------------------------------------------------------------------------
// Cross-node facts: what the clients saw on different server processes (no database needed).
// -------------------------------------------------------------------------------------------------

/** An answer as the client saw it, for the cross-node checks. */
export interface SeenAnswer {
  node: number;
  /** null: no answer (the connection was cut). */
  status: number | null;
  body?: unknown;
  code?: string | null;
  replayed?: boolean;
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/**
 * The same request with the same Idempotency-Key sent to several nodes at once: it ran once (every
 * answer but one is a replay) and every node gave the same answer. A 409 `idempotency_in_progress`
 * (the first run took longer than the wait) and no answer say nothing either way.
 */
export function idempotencyProblems(key: string, answers: SeenAnswer[]): string[] {
  const got = answers.filter((a) => a.status !== null && !(a.status === 409 && a.code === 'idempotency_in_progress'));
  if (got.length < 2) return [];
  const problems: string[] = [];
  const [first, ...rest] = got as [SeenAnswer, ...SeenAnswer[]];
  for (const r of rest) {
    if (r.status !== first.status) problems.push(`idempotency: key ${key} answered ${first.status} on node ${first.node} but ${r.status} on node ${r.node}`);
    else if (canonical(r.body) !== canonical(first.body)) {
      problems.push(`idempotency: key ${key} answered differently on node ${first.node} (${canonical(first.body).slice(0, 300)}) and node ${r.node} (${canonical(r.body).slice(0, 300)})`);
    }
  }
  const fresh = got.filter((a) => !a.replayed);
  if (fresh.length > 1) problems.push(`idempotency: key ${key} ran ${fresh.length} times (on nodes ${fresh.map((a) => a.node).join(', ')}): no answer but one may be fresh`);
  return problems;
}

/**
 * Wrong-password sign-ins for one email, in the order sent, spread over the nodes: at most `budget`
 * are let through (401) in the window, and once refused (429) every later attempt is refused,
 * whichever node it reaches.
 */
export function rateLimitProblems(budget: number, attempts: SeenAnswer[]): string[] {
  const problems: string[] = [];
  const nodes = new Set(attempts.map((a) => a.node)).size;
  if (attempts.length <= budget) problems.push(`rate_limit: the probe made ${attempts.length} attempts, not more than the budget ${budget}`);
  attempts.forEach((a, i) => {
    if (a.status !== 401 && a.status !== 429) problems.push(`rate_limit: attempt ${i + 1} on node ${a.node} answered ${a.status ?? 'nothing'} (401 or 429 expected)`);
  });
  const through = attempts.filter((a) => a.status === 401);
  if (through.length > budget) {
    const over = through[budget]!;
    problems.push(
      `rate_limit: ${through.length} wrong-password sign-ins for one email were let through across ${nodes} node(s), budget ${budget} (the ${budget + 1}th on node ${over.node}): the limit is counted per node`,
    );
  }
  const firstRefused = attempts.findIndex((a) => a.status === 429);
  if (firstRefused >= 0) {
    attempts.slice(firstRefused + 1).forEach((a, i) => {
      if (a.status === 401) problems.push(`rate_limit: attempt ${firstRefused + 2 + i} on node ${a.node} was let through after attempt ${firstRefused + 1} was refused on node ${attempts[firstRefused]!.node}`);
    });
    if (firstRefused < budget) problems.push(`rate_limit: refused after ${firstRefused} attempts, before the budget ${budget}`);
  } else if (attempts.length > budget) problems.push(`rate_limit: none of ${attempts.length} attempts was refused (budget ${budget})`);
  return problems;
}

/**
 * A live room watched on every node: once purchases have quiesced, the stock each node last sent
 * its viewers (units left per allotted SKU) equals what the database holds. `null`: the node's
 * stream sent nothing.
 */
export function liveStockProblems(liveId: string, seen: Array<{ node: number; remaining: Record<string, number> | null }>, database: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const s of seen) {
    if (!s.remaining) {
      problems.push(`live_rooms: node ${s.node} sent no stock of ${liveId}`);
      continue;
    }
    for (const sku of new Set([...Object.keys(database), ...Object.keys(s.remaining)])) {
      if (s.remaining[sku] !== database[sku]) {
        problems.push(`live_rooms: node ${s.node} shows ${s.remaining[sku] ?? 'nothing'} left of ${sku} in ${liveId}, the database ${database[sku] ?? 'nothing'}`);
      }
    }
  }
  return problems;
}
