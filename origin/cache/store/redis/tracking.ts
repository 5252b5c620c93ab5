/**
 * Redis client tracking in broadcast mode (Redis ≥ 6, ElastiCache ≥ 6): one connection per
 * server asks to hear about every change to keys under a prefix (`CLIENT TRACKING on REDIRECT
 * <itself> BCAST PREFIX <prefix>`) and listens on `__redis__:invalidate`. Broadcast mode needs no
 * reads through that connection, so the data connections stay as they are. In cluster mode each
 * server that owns slots gets one, and the set follows the slot map through failovers.
 *
 * The held values are live only while every owner's connection is subscribed; a connection
 * that drops, an owner that changes, or a reset report forgets everything (`TrackedValues`).
 * Each connection is pinged twice a second (`tracker.ts`): values are given out only while every
 * connection answered within SILENCE_MS, so one that goes silent without closing (a half-open
 * socket, a black-holed route) stops being trusted within that bound, and the unanswered ping
 * lets the connection's socket timeout drop it.
 */
import type { Cluster, Redis } from 'ioredis';
import { TrackedValues } from '../tracked-values.ts';
import { trackServer, type Tracker, type TrackingOptions } from './tracker.ts';

export type { TrackingErrorListener, TrackingOptions } from './tracker.ts';

// Values are given out only while every connection answered a heartbeat within this long.
const SILENCE_MS = 1500;
const CLUSTER_SLOTS = 16384;

/** A group of trackers whose values are live only while all of them are ready and heard from. */
function trackerGroup(values: TrackedValues, complete: () => boolean = () => true) {
  const trackers = new Map<string, Tracker>();
  const update = () => {
    const all = [...trackers.values()];
    const live = all.length > 0 && complete() && all.every((t) => t.ready);
    if (live !== values.live) values.setLive(live);
    if (live) values.heard(Math.min(...all.map((t) => t.heardAt)) + SILENCE_MS);
  };
  const closeAll = () => {
    for (const tracker of trackers.values()) tracker.close();
    trackers.clear();
    update();
  };
  return { trackers, update, closeAll };
}

/** Tracks keys under `prefix` on a standalone server. Returns the values and a closer. */
export function trackStandalone(client: Redis, options: TrackingOptions): { values: TrackedValues; close(): void } {
  const values = new TrackedValues();
  const { trackers, update, closeAll } = trackerGroup(values);
  const { host, port } = client.options;
  trackers.set('server', trackServer(client, { host: host ?? '127.0.0.1', port: port ?? 6379 }, options, values, update));
  return { values, close: closeAll };
}

function addressOf(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at), port: Number(text.slice(at + 1)) };
}

/** Tracks keys under `prefix` on every server that owns slots in `cluster`, following the slot map. */
export function trackCluster(cluster: Cluster, options: TrackingOptions): { values: TrackedValues; close(): void } {
  const values = new TrackedValues();
  let complete = false;
  const { trackers, update, closeAll } = trackerGroup(values, () => complete);
  let closed = false;
  const reconcile = () => {
    if (closed) return;
    // The slot map, not the connection pool, says whose changes matter: a master that died
    // still owns its slots until the map is refreshed, and keeps the values off until then.
    const owners = new Set<string>();
    let covered = 0;
    for (const slot of cluster.slots) {
      if (!slot?.[0]) continue;
      owners.add(slot[0]);
      covered++;
    }
    const template = cluster.nodes('all')[0];
    let changed = false;
    for (const [address, tracker] of trackers) {
      if (owners.has(address)) continue;
      tracker.close();
      trackers.delete(address);
      changed = true;
    }
    if (template) {
      for (const address of owners) {
        if (trackers.has(address)) continue;
        trackers.set(address, trackServer(template, addressOf(address), options, values, update));
        changed = true;
      }
    }
    // An owner that came or went may hold slots whose changes nobody was listening to.
    if (changed) values.setLive(false);
    // Slots nobody owns (a map still loading) are changes nobody hears.
    complete = covered === CLUSTER_SLOTS && template !== undefined;
    update();
  };
  const events = ['ready', 'refresh', '+node', '-node'];
  for (const event of events) cluster.on(event, reconcile);
  reconcile();
  return {
    values,
    close() {
      closed = true;
      for (const event of events) cluster.off(event, reconcile);
      closeAll();
    },
  };
}
