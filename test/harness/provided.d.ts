// Values the global setup provides to tests through `inject()` (types only).
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of the harness's standalone server. */
    redisUrl: string;
    /** `host:port,...` of the harness's cluster nodes. */
    redisClusterNodes: string;
    /** Base URL of the scripted origin the edge tests fetch from. */
    fakeOriginUrl: string;
    /** The edge credential (`EDGE_ORIGIN_TOKEN`) the scripted origin requires, as API Gateway does. */
    fakeEdgeToken: string;
    /** Base URL of the local Upstash REST endpoint over the standalone server (`UPSTASH_REDIS_REST_URL`). */
    upstashUrl: string;
    /** Its REST token (`UPSTASH_REDIS_REST_TOKEN`). */
    upstashToken: string;
  }
}
