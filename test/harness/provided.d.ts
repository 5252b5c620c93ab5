// Values the global setup provides to tests through `inject()` (types only).
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port,...` of the harness's cluster nodes. */
    redisClusterNodes: string;
    /** Base URL of the scripted origin the edge tests fetch from. */
    fakeOriginUrl: string;
    /** The edge credential (`EDGE_ORIGIN_TOKEN`) the scripted origin requires, as API Gateway does. */
    fakeEdgeToken: string;
    /** Base URL of the local Upstash REST endpoint over the standalone server (`UPSTASH_REDIS_REST_URL`), shared by every file: edge tests use a namespace of their own file instead (`test/edge/upstash-namespace.ts`). */
    upstashUrl: string;
    /** Its REST token (`UPSTASH_REDIS_REST_TOKEN`). */
    upstashToken: string;
  }
}
