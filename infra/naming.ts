/**
 * Physical names shared by the stacks and the ops CLI, so `npm run ops` finds what `cdk deploy`
 * created without a lookup. Every name starts with `strata-<stage>`.
 */

/**
 * Stage names: lowercase, 1–21 characters, no leading digit and no `--` or trailing `-`, so
 * every derived ElastiCache id (≤ 40 characters, no double or trailing hyphen) stays valid.
 */
export const STAGE_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,20}$/;

/** The two replication groups: tenant data (evicted by LRU) and sessions (never evicted). */
export type CacheRole = 'cache' | 'sessions';

/** Throws unless `stage` matches {@link STAGE_PATTERN}. */
export function assertStage(stage: string, where: string): void {
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`${where}: stage must match ${STAGE_PATTERN.source} (lowercase, ≤ 21 characters), got ${JSON.stringify(stage)}`);
  }
}

/** `strata-<stage>`: the prefix of every physical name. */
export function namePrefix(stage: string): string {
  return `strata-${stage}`;
}

/** Id of a stage's replication group, e.g. `strata-prod-cache`. */
export function replicationGroupId(stage: string, role: CacheRole): string {
  return `${namePrefix(stage)}-${role}`;
}

/** Node ids ElastiCache gives a cluster-mode group: `<group>-<shard 0001>-<node 001>`. */
export function cacheNodeId(groupId: string, shard: number, node: number): string {
  return `${groupId}-${String(shard).padStart(4, '0')}-${String(node).padStart(3, '0')}`;
}

/** ElastiCache's node group (shard) id for a 1-based shard number: `0001`. */
export function shardId(shard: number): string {
  return String(shard).padStart(4, '0');
}

/** Secrets Manager names the stacks create or read. */
export const secretNames = {
  /** RBAC credentials of the application's Redis user: `{ username, password }`. */
  redisApp: (stage: string) => `strata/${stage}/redis-app`,
  /** The HMAC key purge webhooks are signed with; the Worker holds the same value. */
  purge: (stage: string) => `strata/${stage}/purge-secret`,
  /** The origin's operator API bearer token (`OPERATOR_TOKEN`); operators give it to `strata`. */
  operatorToken: (stage: string) => `strata/${stage}/operator-token`,
  /** The edge's credential toward API Gateway; the Worker holds it as `EDGE_ORIGIN_TOKEN`. */
  edgeOriginToken: (stage: string) => `strata/${stage}/edge-origin-token`,
  /**
   * The origin's AES-256 keyring for cached sessions and profiles, `kid:<base64 32 bytes>,...`
   * (current key first). Created by the operator before the first deploy (docs/deploy.md).
   */
  cacheEncryptionKeys: (stage: string) => `strata/${stage}/cache-encryption-keys`,
  /** Aurora's admin credentials, rotated; RDS Proxy reads them, the Lambdas never do. */
  database: (stage: string) => `strata/${stage}/database-admin`,
};

/** SSM parameter the operator writes before `cdk deploy`: the Worker's purge endpoint URL. */
export const edgePurgeUrlParameter = (stage: string) => `/strata/${stage}/edge-purge-url`;

/** SSM parameter the edge stack writes under `-c edge=cloudfront`: the distribution the origin invalidates. */
export const cloudFrontDistributionIdParameter = (stage: string) => `/strata/${stage}/cloudfront-distribution-id`;
