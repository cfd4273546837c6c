import { randomInt } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import { HOUR } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { isStorableDate } from '../../platform/validation.js';
import { enqueue } from '../../platform/jobs.js';
import { signWebhook, verifyWebhook, type SignedDelivery } from '../../platform/webhook-signature.js';
import type { Carrier, CarrierDisplayName, TrackingEvent } from './carriers.js';
import { SHIPMENT_STATUSES, type ShipmentStatus } from './schema.js';

export const SANDBOX_CARRIER_EVENT_JOB = 'fulfillment.sandbox_carrier_event';

export const SCENARIOS = ['on_time', 'delayed', 'exception_then_delivered', 'lost'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Hours after the simulation starts, per scenario (`lost`: no scan ever). */
const PLANS: Record<Scenario, Array<[number, ShipmentStatus, string]>> = {
  on_time: [
    [4, 'picked_up', 'Picked up by courier'],
    [12, 'in_transit', 'Arrived at sort facility'],
    [40, 'out_for_delivery', 'Out for delivery'],
    [44, 'delivered', 'Delivered, left at front door'],
  ],
  delayed: [
    [30, 'picked_up', 'Picked up by courier (late)'],
    [40, 'in_transit', 'Arrived at sort facility'],
    [100, 'out_for_delivery', 'Out for delivery'],
    [110, 'delivered', 'Delivered'],
  ],
  exception_then_delivered: [
    [4, 'picked_up', 'Picked up by courier'],
    [12, 'in_transit', 'Arrived at sort facility'],
    [30, 'exception', 'Address label damaged, held at facility'],
    [50, 'in_transit', 'Relabelled, in transit'],
    [60, 'out_for_delivery', 'Out for delivery'],
    [66, 'delivered', 'Delivered'],
  ],
  lost: [],
};

/** Wire form of a sandbox carrier event (what its webhook body carries). */
interface WireEvent {
  id: string;
  tracking_number: string;
  status: ShipmentStatus;
  at: string;
  postal_code: string | null;
  description: string;
}

/**
 * The built-in carrier: issues `SBX` tracking numbers and "sends" signed webhooks
 * (`loopshop-signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, body
 * `{ "events": [...] }`). `simulate` schedules a scenario's scans as durable jobs on the clock;
 * each job signs its event and feeds it through the same path as `POST /v1/webhooks/carriers/sandbox`.
 *
 * With `autoplay` (the server on the real clock, LOOPSHOP_SANDBOX_CARRIER_PACE) it plays
 * `on_time` for every label it issues, one plan hour taking `hourMs` real milliseconds, so a
 * parcel reaches the buyer within minutes with no one driving it. Tracking numbers it did not
 * issue (typed by the seller) get no scans, as at a real carrier.
 */
/** The sandbox carrier's name in words (as web/src/i18n `carriers.sandbox`). */
export const SANDBOX_DISPLAY_NAME: CarrierDisplayName = { en: 'Sandbox carrier', 'zh-CN': '沙盒承运商' };

export class SandboxCarrier implements Carrier {
  constructor(
    private readonly clock: Clock,
    /** The installation's signing secret (configured, or generated at first start: src/platform/installation-secrets.ts). */
    private readonly secret: string,
    /** Its name in the carrier map and webhook path; a second sandbox under another name and secret is a second carrier. */
    readonly name: string = 'sandbox',
    /** Scan every label it issues by itself, one plan hour taking `hourMs` real ms; null: only `simulate` schedules scans. */
    private readonly autoplay: { hourMs: number } | null = null,
    /** Its name as people read it; the installation's own sandbox reads as the web app names it. */
    readonly displayName: CarrierDisplayName = name === 'sandbox' ? SANDBOX_DISPLAY_NAME : { en: name, 'zh-CN': name },
  ) {}

  async registerLabel(): Promise<{ tracking_number: string }> {
    let digits = '';
    for (let i = 0; i < 12; i++) digits += String(randomInt(10));
    return { tracking_number: `SBX${digits}` };
  }

  async labelIssued(db: Db, label: { trackingNumber: string; postalCode: string }): Promise<void> {
    if (this.autoplay) await this.simulate(db, label.trackingNumber, 'on_time', { postalCode: label.postalCode, hourMs: this.autoplay.hourMs });
  }

  /** Schedules the scenario's scans on the clock, delivering to `postalCode`; a plan hour lasts `hourMs` (default an hour). Returns the events. */
  async simulate(
    db: Db,
    trackingNumber: string,
    scenario: Scenario,
    opts: { postalCode: string; start?: Date; hourMs?: number },
  ): Promise<WireEvent[]> {
    const start = (opts.start ?? this.clock.now()).getTime();
    const hourMs = opts.hourMs ?? HOUR;
    const events = PLANS[scenario].map(([h, status, description], i) => ({
      id: `sbxevt_${trackingNumber}_${scenario}_${i}`,
      tracking_number: trackingNumber,
      status,
      at: new Date(start + Math.round(h * hourMs)).toISOString(),
      postal_code: opts.postalCode,
      description,
    }));
    for (const event of events) {
      await enqueue(db, this.clock, SANDBOX_CARRIER_EVENT_JOB, { carrier: this.name, event }, { runAt: new Date(event.at), uniqueKey: `sbxevt:${event.id}` });
    }
    return events;
  }

  /** The raw body and headers of a signed delivery of these events, signed at the clock's time. */
  sign(events: WireEvent[], at: Date = this.clock.now()): SignedDelivery {
    return this.signBody(JSON.stringify({ events }), at);
  }

  signBody(rawBody: string, at: Date = this.clock.now()): SignedDelivery {
    return signWebhook(this.secret, rawBody, at);
  }

  verifyWebhook(rawBody: Buffer | string, headers: Record<string, string | string[] | undefined>): TrackingEvent[] {
    const body = verifyWebhook(this.secret, this.clock, rawBody, headers);
    const list = (body as { events?: unknown } | null)?.events;
    if (!Array.isArray(list) || list.length === 0 || list.length > 100) throw new AppError('invalid_event', 400, 'Webhook carries no events');
    return list.map(parseEvent);
  }
}

function parseEvent(e: unknown): TrackingEvent {
  const bad = (what: string) => new AppError('invalid_event', 400, `Tracking event ${what}`);
  if (typeof e !== 'object' || e === null) throw bad('is not an object');
  const ev = e as Record<string, unknown>;
  if (typeof ev.id !== 'string' || ev.id.length === 0 || ev.id.length > 200) throw bad('has no id');
  if (typeof ev.tracking_number !== 'string' || ev.tracking_number.length === 0 || ev.tracking_number.length > 100) throw bad('has no tracking number');
  if (!SHIPMENT_STATUSES.includes(ev.status as ShipmentStatus)) throw bad('has an unknown status');
  const at = typeof ev.at === 'string' ? new Date(ev.at) : new Date(NaN);
  if (Number.isNaN(at.getTime())) throw bad('has no time');
  if (!isStorableDate(at)) throw bad('has a time outside years 1000-9999');
  if (ev.postal_code !== undefined && ev.postal_code !== null && (typeof ev.postal_code !== 'string' || ev.postal_code.length > 20)) throw bad('has a malformed postal code');
  if (ev.description !== undefined && typeof ev.description !== 'string') throw bad('has a malformed description');
  return {
    event_id: ev.id,
    tracking_number: ev.tracking_number,
    status: ev.status as ShipmentStatus,
    at,
    postal_code: (ev.postal_code as string | null | undefined) ?? null,
    description: ((ev.description as string | undefined) ?? '').slice(0, 500),
  };
}
