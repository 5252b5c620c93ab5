/**
 * Redis client tracking in broadcast mode (Redis ≥ 6, ElastiCache ≥ 6): one connection per
 * server asks to hear about every change to keys under a prefix (`CLIENT TRACKING on REDIRECT
 * <itself> BCAST PREFIX <prefix>`) and listens on `__redis__:invalidate`. Broadcast mode needs no
 * reads through that connection, so the data connections stay as they are. In cluster mode each
 * master gets one, and the set follows the slot map through failovers.
 *
 * The held values are live only while every master's connection is subscribed; a connection
 * that drops, a master that changes, or a reset report forgets everything (`TrackedValues`).
 */
import { ReplyError, type Cluster, type Redis } from 'ioredis';
import { TrackedValues } from './tracked-values.ts';

const CHANNEL = '__redis__:invalidate';

/** Receives tracking set-up failures (a server or ACL that refuses CLIENT TRACKING or SUBSCRIBE). */
export type TrackingErrorListener = (error: unknown) => void;

interface Tracker {
  readonly ready: boolean;
  close(): void;
}

/** One listening connection, duplicated from `node`'s options; calls `onState` when `ready` flips. */
function trackServer(node: Redis, prefix: string, values: TrackedValues, onState: () => void, onError: TrackingErrorListener): Tracker {
  // A duplicate shares host, TLS and credentials; it reconnects forever and re-runs the setup on
  // every reconnect (subscribing again by itself would skip CLIENT TRACKING).
  const connection = node.duplicate({
    lazyConnect: false,
    autoResubscribe: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Cluster node connections are built without retries (the cluster client replaces them).
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000),
  });
  let ready = false;
  let closed = false;
  const flip = (to: boolean) => {
    if (ready === to) return;
    ready = to;
    onState();
  };
  // Connection failures show on the data path already; only a refused setup is reported.
  connection.on('error', () => {});
  connection.on('close', () => flip(false));
  connection.on('messageBuffer', (channel: Buffer, message: Buffer[] | Buffer | null) => {
    if (channel.toString() !== CHANNEL) return;
    // A list of keys; null when the server dropped everything (FLUSHALL, FLUSHDB).
    values.changed(Array.isArray(message) ? message.map((key) => key.toString()) : undefined);
  });
  connection.on('ready', () => {
    void (async () => {
      try {
        const id = await connection.client('ID');
        await connection.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(id), 'BCAST', 'PREFIX', prefix);
        await connection.subscribe(CHANNEL);
        if (!closed) flip(true);
      } catch (error) {
        if (closed) return;
        if (error instanceof ReplyError) {
          // The server or the ACL refuses tracking: say so once and stay off (reads still work).
          onError(error);
          closed = true;
          connection.disconnect();
        } else {
          // The connection failed mid set-up: start over on a new one.
          connection.disconnect(true);
        }
      }
    })();
  });
  return {
    get ready() {
      return ready;
    },
    close() {
      closed = true;
      flip(false);
      connection.disconnect();
    },
  };
}

/** A group of trackers whose values are live only while all of them are ready. */
function trackerGroup(values: TrackedValues) {
  const trackers = new Map<string, Tracker>();
  const update = () => {
    const live = trackers.size > 0 && [...trackers.values()].every((t) => t.ready);
    if (live !== values.live) values.setLive(live);
  };
  return { trackers, update };
}

/** Tracks keys under `prefix` on a standalone server. Returns the values and a closer. */
export function trackStandalone(client: Redis, prefix: string, onError: TrackingErrorListener): { values: TrackedValues; close(): void } {
  const values = new TrackedValues();
  const { trackers, update } = trackerGroup(values);
  trackers.set('server', trackServer(client, prefix, values, update, onError));
  return {
    values,
    close() {
      for (const tracker of trackers.values()) tracker.close();
      trackers.clear();
      update();
    },
  };
}

/** Tracks keys under `prefix` on every master of `cluster`, following the slot map. */
export function trackCluster(cluster: Cluster, prefix: string, onError: TrackingErrorListener): { values: TrackedValues; close(): void } {
  const values = new TrackedValues();
  const { trackers, update } = trackerGroup(values);
  let closed = false;
  const reconcile = () => {
    if (closed) return;
    const masters = new Map(cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
    let changed = false;
    for (const [address, tracker] of trackers) {
      if (masters.has(address)) continue;
      tracker.close();
      trackers.delete(address);
      changed = true;
    }
    for (const [address, node] of masters) {
      if (trackers.has(address)) continue;
      trackers.set(address, trackServer(node, prefix, values, update, onError));
      changed = true;
    }
    // A master that came or went may own slots whose changes nobody was listening to.
    if (changed) values.setLive(false);
    update();
  };
  for (const event of ['ready', 'refresh', '+node', '-node']) cluster.on(event, reconcile);
  reconcile();
  return {
    values,
    close() {
      closed = true;
      for (const event of ['ready', 'refresh', '+node', '-node']) cluster.off(event, reconcile);
      for (const tracker of trackers.values()) tracker.close();
      trackers.clear();
      update();
    },
  };
}
