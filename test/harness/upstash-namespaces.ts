/**
 * Local Upstash endpoints by namespace over one `redis-server`: the shared namespace (`''`)
 * over database 0, each other namespace over a database of its own, started on first use. Every
 * endpoint takes the same token.
 */
import { startUpstashServer, type UpstashServer } from '../../local/upstash/server.ts';
import type { UpstashFor } from './fake-upstash.ts';

/** Databases the harness's standalone server is started with (`--databases`). */
export const NAMESPACE_DATABASES = 1024;

export interface UpstashNamespaces {
  upstashFor: UpstashFor;
  stop(): Promise<void>;
}

export function upstashNamespaces(redisUrl: string, token: string, shared: UpstashServer): UpstashNamespaces {
  const endpoints = new Map<string, Promise<UpstashServer>>([['', Promise.resolve(shared)]]);
  return {
    async upstashFor(ns) {
      let endpoint = endpoints.get(ns);
      if (!endpoint) {
        const database = endpoints.size;
        if (database >= NAMESPACE_DATABASES) throw new Error(`more than ${NAMESPACE_DATABASES - 1} Upstash namespaces in one run`);
        endpoint = startUpstashServer({ redisUrl: `${redisUrl}/${database}`, token });
        endpoints.set(ns, endpoint);
      }
      return (await endpoint).url;
    },
    async stop() {
      const started = [...endpoints.entries()].filter(([ns]) => ns !== '').map(([, endpoint]) => endpoint);
      await Promise.allSettled(started.map(async (endpoint) => (await endpoint).stop()));
    },
  };
}
