import { defineLifecycle, lifecycleWriters } from '../../platform/lifecycle.js';
import { SHIPMENT_STATUSES, shipments } from './schema.js';

const NEWER = 'a newer scan';

/**
 * A parcel, moved by its carrier's scans: each event is the status a scan reports. A scan moves
 * the parcel only forward (an exception may be left for any scan but a new label) and only when
 * it is newer than the last one applied, except the first delivery scan, which always counts.
 * A scan the table refuses is still kept on the timeline. The buyer confirming receipt delivers a
 * parcel still on its way (`receipt_confirmed`). Delivered is final: a later delivery scan only
 * joins the timeline.
 */
export const shipmentLifecycle = defineLifecycle({
  name: 'shipment',
  states: SHIPMENT_STATUSES,
  events: [...SHIPMENT_STATUSES, 'receipt_confirmed'],
  initial: ['label_created'],
  transitions: [
    { from: 'label_created', event: 'label_created', to: 'label_created', guard: NEWER },
    { from: ['label_created', 'picked_up', 'exception'], event: 'picked_up', to: 'picked_up', guard: NEWER },
    { from: ['label_created', 'picked_up', 'in_transit', 'exception'], event: 'in_transit', to: 'in_transit', guard: NEWER },
    { from: ['label_created', 'picked_up', 'in_transit', 'out_for_delivery', 'exception'], event: 'out_for_delivery', to: 'out_for_delivery', guard: NEWER },
    { from: ['label_created', 'picked_up', 'in_transit', 'out_for_delivery', 'exception'], event: 'delivered', to: 'delivered', guard: 'the first delivery scan' },
    { from: ['label_created', 'picked_up', 'in_transit', 'out_for_delivery', 'exception'], event: 'exception', to: 'exception', guard: NEWER },
    { from: ['label_created', 'picked_up', 'in_transit', 'out_for_delivery', 'exception'], event: 'receipt_confirmed', to: 'delivered', guard: 'the buyer confirmed receipt of the order' },
  ],
});
export type ShipmentEvent = (typeof shipmentLifecycle.events)[number];

/** `transitionShipment` applies the scan (or the buyer's) `event` to the shipment (409 `invalid_transition` unless the table allows it); `tryTransitionShipment` answers null instead of a refusal. */
export const { apply: transitionShipment, try: tryTransitionShipment } = lifecycleWriters(shipmentLifecycle, shipments);
