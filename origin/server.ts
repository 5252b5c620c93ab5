/**
 * The origin as a plain Node HTTP server (local development, tests, e2e). Same app as Lambda,
 * plus the periodic housekeeping that the scheduled Lambda does on AWS (`maintenance.ts`).
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { startMaintenance } from './maintenance.ts';
import type { Services } from './services.ts';

/** A running origin server. */
export interface OriginServer {
  /** Base URL, e.g. `http://127.0.0.1:8788`. */
  readonly url: string;
  /** Stops accepting connections and waits for open ones to finish. */
  close(): Promise<void>;
}

/** Serves the app over `services` on `host:port` (port 0 picks a free one). */
export function startOriginServer(services: Services, host: string, port: number): Promise<OriginServer> {
  const app = createApp(services);
  const maintenance = startMaintenance(services.db);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shownHost}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            maintenance.stop();
            server.close((error) => (error ? fail(error) : done()));
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', (error) => {
      maintenance.stop();
      reject(error);
    });
  });
}
