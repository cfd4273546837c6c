import { onEvent, type DomainEvents } from '../../platform/events.js';

/**
 * In-process signals to the feed's ranking index (src/modules/feed/ranking-index.ts). The modules
 * that change what the feed shows do not call the feed: they emit domain events
 * (src/platform/events.ts), and this file listens to them in this process.
 *
 * - `feedSourcesChanged()`: something the feed shows changed in this process — a video was
 *   published, deleted or edited, a product's or a shop's status changed (the events in
 *   `FEED_SOURCE_EVENTS`, told at emit time). The next feed request of this process waits for an
 *   index rebuild that starts after the call (read-your-writes), and one more rebuild follows
 *   shortly after, for a change whose transaction committed later. Changes made by other
 *   processes reach the index with the periodic rebuild.
 * - `viewsRecorded(actor, views)`: view events were stored for a sender (`u:<user id>` or
 *   `d:<device id>`; the `views.recorded` notice): the cached watch history of that sender's
 *   viewers is updated in place.
 */

export interface RecordedView {
  videoId: string;
  /** Event time, epoch ms. */
  at: number;
}

let generation = 0;
const changeListeners = new Set<() => void>();
const viewListeners = new Set<(actor: string, views: RecordedView[]) => void>();

/** Something the feed shows changed in this process (see above). Cheap: a counter and a timer. */
export function feedSourcesChanged(): void {
  generation++;
  for (const listener of changeListeners) listener();
}

/** How many source changes this process has signalled. */
export function feedSourcesGeneration(): number {
  return generation;
}

/** View events were stored for `actor` (`u:<user id>` or `d:<device id>`). */
export function viewsRecorded(actor: string, views: RecordedView[]): void {
  if (views.length === 0) return;
  for (const listener of viewListeners) listener(actor, views);
}

/** Subscribes to source changes; returns the unsubscribe function. */
export function onFeedSourcesChanged(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => void changeListeners.delete(listener);
}

/** Subscribes to recorded views; returns the unsubscribe function. */
export function onViewsRecorded(listener: (actor: string, views: RecordedView[]) => void): () => void {
  viewListeners.add(listener);
  return () => void viewListeners.delete(listener);
}

/** The domain events after which the feed's index is rebuilt. */
export const FEED_SOURCE_EVENTS = ['product.status_changed', 'video.published', 'video.removed', 'video.changed', 'shop.restrictions_changed'] as const satisfies ReadonlyArray<keyof DomainEvents>;

for (const name of FEED_SOURCE_EVENTS) onEvent(name, () => feedSourcesChanged());
onEvent('views.recorded', ({ actor, views }) => viewsRecorded(actor, views));
