/**
 * The Worker's bindings, as declared in `wrangler.toml` (vars) and set with
 * `wrangler secret put` (secrets). Optional ones switch a feature off when absent.
 */
export interface Env {
  /** Base URL of the origin API, e.g. `https://api.example.com` (no trailing path). */
  ORIGIN_URL: string;
  /** Milliseconds to wait for the origin before answering 504 (or stale). Default 10000. */
  ORIGIN_TIMEOUT_MS?: string;
  /**
   * The edge's credential toward the origin, sent as `x-strata-edge-token` on every origin
   * request; deployed, API Gateway refuses requests without it. Optional locally.
   */
  EDGE_ORIGIN_TOKEN?: string;
  /** Shared secret of the signed purge webhook (`common/purge.ts`); purges are refused without it. */
  PURGE_SECRET?: string;
  /** Upstash Redis REST endpoint and token: purge versions, purge de-duplication, rate limits. */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Cloudflare zone and API token for zone purges; both or neither. */
  CF_ZONE_ID?: string;
  CF_API_TOKEN?: string;
  /** Base URL of Cloudflare's API; tests point it at a capture server. Default https://api.cloudflare.com/client/v4. */
  CF_API_BASE?: string;
  /** Requests per minute per client IP; unset means 600, 0 disables the IP limit. */
  RATE_LIMIT_IP_PER_MINUTE?: string;
  /** Tenant hourly quota (members' requests) when the tenant's config has none; unset or 0: none. */
  RATE_LIMIT_TENANT_DEFAULT_PER_HOUR?: string;
  /** JSON list of cached routes (`edge/cache/route-policy.ts`); unset means the public API routes. */
  ROUTE_POLICY?: string;
  /** `all` logs every cache decision; unset logs all but plain hits. */
  CACHE_LOG?: string;
  /** A request carrying `x-strata-debug: <this value>` gets the cache decision in a response header. */
  DEBUG_TOKEN?: string;
}

/** Hono's environment type for the edge app. */
export interface EdgeEnv {
  Bindings: Env;
  Variables: { requestId: string };
}
