/**
 * A Redis password that changes while the process runs (a rotated ElastiCache RBAC password).
 * ioredis sends `options.password` each time a connection (re)connects, and copies the options
 * into every cluster node and duplicate it creates; so the store keeps every copy it can reach
 * current, and asks for a fresh value whenever a connection drops or the server refuses the
 * password it has. Connections that stay up are not touched: the server keeps them signed in.
 */
import { Cluster, type Redis } from 'ioredis';

/** A password that may change; the store reads it whenever a connection (re)connects. */
export interface RotatingPassword {
  /** The value to present now. */
  current(): string;
  /** Asks for a fresh value in the background; `refused`: the server refused the current one. */
  refresh(refused: boolean): void;
  /** Calls `listener` with every new value; returns the function that stops it. */
  onChange(listener: (password: string) => void): () => void;
}

/** `WRONGPASS invalid username-password pair…`, `NOAUTH Authentication required.` */
const REFUSED = /^(WRONGPASS|NOAUTH)\b/;

/** What {@link followPassword} returns. */
export interface FollowedPassword {
  /** Keeps a connection the store made itself (a duplicate) current too. */
  watch(connection: Redis): void;
  stop(): void;
}

/** Keeps the password every connection of `client` presents at its next (re)connection current. */
export function followPassword(client: Redis | Cluster, password: RotatingPassword): FollowedPassword {
  const connections = new Set<Redis>();
  const onError = (error: Error) => {
    if (REFUSED.test(error.message)) password.refresh(true);
  };
  const watch = (connection: Redis) => {
    connections.add(connection);
    connection.options.password = password.current();
    connection.on('error', onError);
    connection.on('reconnecting', () => password.refresh(false));
    connection.once('end', () => connections.delete(connection));
  };
  if (client instanceof Cluster) {
    // Node connections are created from a copy of the options taken when the cluster client was
    // built, lazily, so the new value is set on each before it first connects.
    client.on('+node', watch);
    client.on('-node', (node: Redis) => connections.delete(node));
    client.on('reconnecting', () => password.refresh(false));
    // The slot-map refresh signs in on connections of its own, whose failures arrive here.
    client.on('node error', onError);
  } else {
    watch(client);
  }
  const stop = password.onChange((value) => {
    if (client instanceof Cluster && client.options.redisOptions) client.options.redisOptions.password = value;
    for (const connection of connections) connection.options.password = value;
  });
  return { watch, stop };
}
