/**
 * The harness's own servers on free ports: a port is free only when checked, so a launch that
 * finds it taken (by another Redis that would answer PING, or by anything on the cluster bus
 * port, +10000) goes to another port, and a port the caller fixed fails with the server's reason.
 */
import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RedisProcess } from '../harness/redis.ts';

// The setup file loaded the harness already: load it afresh, over ports whose choice the test steers.
vi.resetModules();
vi.doMock('../../local/ports.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../local/ports.ts')>();
  return { ...actual, freePort: vi.fn(actual.freePort), freeClusterPort: vi.fn(actual.freeClusterPort) };
});
const ports = await import('../../local/ports.ts');
const { startRedis } = await import('../harness/redis.ts');

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const pidOf = async (server: RedisProcess) => {
  const client = new Redis(server.url, { protocol: 2 });
  try {
    return /process_id:(\d+)/.exec(await client.info('server'))?.[1];
  } finally {
    client.disconnect();
  }
};

describe('harness servers on free ports', () => {
  let other: RedisProcess;
  const started: RedisProcess[] = [];
  beforeAll(async () => {
    other = await startRedis();
  });
  afterAll(async () => {
    await Promise.all([other, ...started].map((server) => server?.stop()));
  });

  it('offers cluster ports whose bus port is free too', async () => {
    const port = await ports.freeClusterPort();
    const both = [await listen(port), await listen(port + ports.CLUSTER_BUS_OFFSET)];
    await Promise.all(both.map(closeServer));
  });

  it('starts on another port when another Redis took the chosen one, and never mistakes it for its own', async () => {
    vi.mocked(ports.freePort).mockResolvedValueOnce(other.port);
    const calls = vi.mocked(ports.freePort).mock.calls.length;
    const server = await startRedis();
    started.push(server);
    expect(server.port).not.toBe(other.port);
    expect(vi.mocked(ports.freePort).mock.calls.length - calls).toBe(2);
    expect(await pidOf(server)).not.toBe(await pidOf(other));
  });

  it('starts a cluster node on another port when its bus port is taken', async () => {
    const port = await ports.freeClusterPort();
    const bus = await listen(port + ports.CLUSTER_BUS_OFFSET);
    try {
      vi.mocked(ports.freeClusterPort).mockResolvedValueOnce(port);
      const calls = vi.mocked(ports.freeClusterPort).mock.calls.length;
      const node = await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']);
      started.push(node);
      expect(node.port).not.toBe(port);
      expect(vi.mocked(ports.freeClusterPort).mock.calls.length - calls).toBe(2);
    } finally {
      await closeServer(bus);
    }
  });

  it('fails with the server’s own reason on a fixed port that is taken', async () => {
    await expect(startRedis([], other.port)).rejects.toThrow(/Address already in use/);
  });
});
