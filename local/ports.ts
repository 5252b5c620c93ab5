/**
 * Free loopback ports for the local stack and the test harness. A port is only known to be free
 * at the moment it was checked: whoever binds it must still handle EADDRINUSE (retry on another).
 */
import { createServer } from 'node:net';

/** Offset of a Redis Cluster node's bus port from its client port. */
export const CLUSTER_BUS_OFFSET = 10_000;

/** Resolves `port` (0: any) once it was bound and released on 127.0.0.1; rejects when it is taken. */
function probe(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return probe(0);
}

/**
 * A port that was free a moment ago together with `port + 10000`, the bus port a cluster node
 * binds too (so low enough that the bus port exists).
 */
export async function freeClusterPort(attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const port = await freePort();
    if (port + CLUSTER_BUS_OFFSET > 65_535) continue;
    if (
      await probe(port + CLUSTER_BUS_OFFSET).then(
        () => true,
        () => false,
      )
    )
      return port;
  }
  throw new Error(`no free port with a free cluster bus port (+${CLUSTER_BUS_OFFSET}) after ${attempts} attempts`);
}

/** `count` distinct ports that were free a moment ago, each with its cluster bus port (+10000) free too. */
export async function freeClusterPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freeClusterPort());
  return [...ports];
}
