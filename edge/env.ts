/**
 * The Worker's bindings, as declared in `wrangler.toml`.
 */
export interface Env {
  /** Base URL of the origin API, e.g. `https://api.example.com` (no trailing path). */
  ORIGIN_URL: string;
  /** Milliseconds to wait for the origin before answering 504. Default 10000. */
  ORIGIN_TIMEOUT_MS?: string;
}

/** Hono's environment type for the edge app. */
export interface EdgeEnv {
  Bindings: Env;
  Variables: { requestId: string };
}
