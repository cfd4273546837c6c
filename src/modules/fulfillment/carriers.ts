import type { Db } from '../../platform/db.js';
import type { ShipmentStatus } from './schema.js';

/**
 * The carrier strategy: fulfillment talks to a carrier only through this interface, so a real
 * carrier plugs in beside the built-in `sandbox`.
 *
 * - `registerLabel` issues a tracking number for a parcel (carriers that cannot answer null:
 *   the seller must then give the tracking number);
 * - `labelIssued` (optional) hears, in the shipment's transaction, of a parcel shipped under a
 *   tracking number it issued: a carrier that pushes its scans by itself (the sandbox) starts here;
 * - `verifyWebhook` authenticates the raw body (401 `invalid_signature`, stale timestamps refused)
 *   and normalises the carrier's events; the caller dedupes by `event_id`.
 */
export interface TrackingEvent {
  /** The carrier's event id; a replay carries the same id. */
  event_id: string;
  tracking_number: string;
  status: ShipmentStatus;
  /** When the scan happened at the carrier (not when we received it). */
  at: Date;
  postal_code: string | null;
  description: string;
}

/** A carrier's name as people read it, in each language the app speaks. */
export type CarrierDisplayName = Readonly<{ en: string; 'zh-CN': string }>;

export interface Carrier {
  /** Its code: the carrier map's key, the webhook path, `carrier` in the API. */
  readonly name: string;
  /** What buyers and sellers read (notifications): never the code. */
  readonly displayName: CarrierDisplayName;
  registerLabel(input: { orderId: string; postalCode: string }): Promise<{ tracking_number: string } | null>;
  labelIssued?(db: Db, label: { trackingNumber: string; postalCode: string }): Promise<void>;
  verifyWebhook(rawBody: Buffer | string, headers: Record<string, string | string[] | undefined>): TrackingEvent[];
}

export type Carriers = ReadonlyMap<string, Carrier>;
