/**
 * In-process signals to the feed's ranking index (src/modules/feed/ranking-index.ts). This file
 * imports nothing, so the modules that change what the feed shows (content, catalog, sellers,
 * analytics) can call it without an import cycle through the feed.
 *
 * - `feedSourcesChanged()`: something the feed shows changed in this process — a video was
 *   published, deleted or edited, a product's or a shop's status changed. The next feed request
 *   of this process waits for an index rebuild that starts after the call (read-your-writes), and
 *   one more rebuild follows shortly after, for a change whose transaction committed later.
 *   Changes made by other processes reach the index with the periodic rebuild.
 * - `viewsRecorded(actor, views)`: view events were stored for a sender (`u:<user id>` or
 *   `d:<device id>`): the cached watch history of that sender's viewers is updated in place.
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
