/**
 * One connection that hears Redis report changes to keys under a prefix (client tracking in
 * broadcast mode, `CLIENT TRACKING on REDIRECT <itself> BCAST PREFIX <prefix>`), and pings the
 * server every HEARTBEAT_MS so that a connection gone silent without closing is noticed.
 * `tracking.ts` groups these per server.
 */
import type { Redis } from 'ioredis';
import type { TrackedValues } from '../tracked-values.ts';

const CHANNEL = '__redis__:invalidate';
const HEARTBEAT_MS = 500;

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

/** A listening connection's state, as its group reads it. */
export interface Tracker {
  readonly ready: boolean;
  /** When the server last answered a heartbeat (or the set-up). */
  readonly heardAt: number;
  close(): void;
}

/** One listening connection, duplicated from `template`; calls `onState` when its state changes. */
export function trackServer(
  template: Redis,
  address: { host: string; port: number },
  options: TrackingOptions,
  values: TrackedValues,
  onState: () => void,
): Tracker {
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
