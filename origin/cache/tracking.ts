/**
 * Redis client tracking in broadcast mode (Redis ≥ 6, ElastiCache ≥ 6): one connection per
 * server asks to hear about every change to keys under a prefix (`CLIENT TRACKING on REDIRECT
 * <itself> BCAST PREFIX <prefix>`) and listens on `__redis__:invalidate`. Broadcast mode needs no
 * reads through that connection, so the data connections stay as they are. In cluster mode each
 * server that owns slots gets one, and the set follows the slot map through failovers.
 *
 * The held values are live only while every owner's connection is subscribed; a connection
 * that drops, an owner that changes, or a reset report forgets everything (`TrackedValues`).
 * Each connection is pinged every HEARTBEAT_MS: values are given out only while every
 * connection answered within SILENCE_MS, so one that goes silent without closing (a half-open
 * socket, a black-holed route) stops being trusted within that bound, and the unanswered ping
 * lets the connection's socket timeout drop it.
 */
import type { Cluster, Redis } from 'ioredis';
import { TrackedValues } from './tracked-values.ts';

const CHANNEL = '__redis__:invalidate';
const HEARTBEAT_MS = 500;
const SILENCE_MS = 1500;
const CLUSTER_SLOTS = 16384;

// Refusals that another attempt cannot fix: the ACL forbids it, or the server predates tracking.
const PERMANENT = /^(NOPERM|ERR unknown (sub)?command)/i;

/** Receives tracking set-up failures (a server or ACL that refuses CLIENT TRACKING or SUBSCRIBE). */
export type TrackingErrorListener = (error: unknown) => void;

/** What to track and how. */
export interface TrackingOptions {
  /** Key prefix whose changes are reported. */
  prefix: string;
  onError: TrackingErrorListener;
  /** A connection with an unanswered command that hears nothing for this long is dropped. */
  silenceMs: number;
  /** Told of each listening connection made (the store keeps a rotating password current on it). */
  onConnection?: (connection: Redis) => void;
}

interface Tracker {
  readonly ready: boolean;
  /** When the server last answered a heartbeat (or the set-up). */
  readonly heardAt: number;
  close(): void;
}

/** One listening connection, duplicated from `template`; calls `onState` when its state changes. */
function trackServer(template: Redis, address: { host: string; port: number }, options: TrackingOptions, values: TrackedValues, onState: () => void): Tracker {
  const { prefix, onError } = options;
  // A duplicate shares TLS and credentials; it reconnects forever and re-runs the set-up on
  // every connection. Commands cut off by a reconnect are not resent: a resent CLIENT TRACKING
  // would name a client id that no longer exists, a resent SUBSCRIBE would skip the tracking.
  const connection = template.duplicate({
    host: address.host,
    port: address.port,
    lazyConnect: false,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    readOnly: false,
    // Data connections have no socket timeout (see deadlines.ts); this one, pinged twice a
    // second, can afford it.
    socketTimeout: options.silenceMs,
    // Cluster node connections are built without retries (the cluster client replaces them).
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000),
  });
  options.onConnection?.(connection);
  let ready = false;
  let closed = false;
  let heardAt = 0;
  // Bumped by every connection and disconnection: a set-up belongs to one connection only.
  let epoch = 0;
  const flip = (to: boolean) => {
    if (ready === to) return;
    ready = to;
    onState();
  };
  // Connection failures show on the data path already; only a refused set-up is reported.
  connection.on('error', () => {});
  connection.on('close', () => {
    epoch++;
    flip(false);
  });
  connection.on('messageBuffer', (channel: Buffer, message: Buffer[] | Buffer | null) => {
    if (channel.toString() !== CHANNEL) return;
    // A list of keys; null when the server dropped everything (FLUSHALL, FLUSHDB).
    values.changed(Array.isArray(message) ? message.map((key) => key.toString()) : undefined);
  });
  connection.on('ready', () => void setUp(++epoch));

  async function setUp(mine: number): Promise<void> {
    const current = () => !closed && epoch === mine && connection.status === 'ready';
    try {
      const id = await connection.client('ID');
      if (!current()) return;
      await connection.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(id), 'BCAST', 'PREFIX', prefix);
      if (!current()) return;
      await connection.subscribe(CHANNEL);
      if (!current()) return;
      heardAt = Date.now();
      flip(true);
    } catch (error) {
      if (!current()) return;
      if (error instanceof Error && PERMANENT.test(error.message)) {
        // Refused for good: stay off (reads check versions in Redis) and say so once.
        closed = true;
        clearInterval(heartbeat);
        connection.disconnect();
        onError(error);
      } else {
        // Anything else (a busy or restarting server): start over on a new connection.
        connection.disconnect(true);
      }
    }
  }

  const heartbeat = setInterval(() => {
    if (!ready) return;
    const mine = epoch;
    connection.ping().then(
      () => {
        if (epoch !== mine) return;
        heardAt = Date.now();
        onState();
      },
      () => {},
    );
  }, HEARTBEAT_MS);
  heartbeat.unref?.();

  return {
    get ready() {
      return ready;
    },
    get heardAt() {
      return heardAt;
    },
    close() {
      closed = true;
      clearInterval(heartbeat);
      flip(false);
      connection.disconnect();
    },
  };
}

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
