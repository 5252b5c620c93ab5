/**
 * `cache-status`: a replication group as an operator needs it — status, engine and version,
 * encryption and failover settings, and every shard with its slots and nodes.
 */
import { DescribeReplicationGroupsCommand, paginateDescribeCacheClusters, type ElastiCacheClient, type ReplicationGroup } from '@aws-sdk/client-elasticache';

/** One node of a shard. */
export interface NodeStatus {
  readonly id: string;
  readonly availabilityZone: string;
  /** `primary`/`replica` where ElastiCache reports it (cluster mode disabled), else `unknown`. */
  readonly role: string;
  readonly status: string;
}

/** One shard (node group). */
export interface ShardStatus {
  readonly id: string;
  readonly status: string;
  readonly slots: string;
  readonly nodes: NodeStatus[];
}

/** What `cache-status` prints. */
export interface CacheStatus {
  readonly replicationGroupId: string;
  readonly status: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly nodeType: string;
  readonly clusterMode: string;
  readonly automaticFailover: string;
  readonly multiAz: string;
  readonly transitEncryption: boolean;
  readonly atRestEncryption: boolean;
  readonly configurationEndpoint?: string;
  readonly shards: ShardStatus[];
}

/** Thrown when the group does not exist; the CLI prints its message. */
export class ReplicationGroupNotFound extends Error {
  constructor(id: string) {
    super(`replication group ${id} not found (check --stage, --group or --replication-group, and the region)`);
    this.name = 'ReplicationGroupNotFound';
  }
}

/** The group's description, or {@link ReplicationGroupNotFound}. */
export async function describeReplicationGroup(client: ElastiCacheClient, id: string): Promise<ReplicationGroup> {
  try {
    const { ReplicationGroups } = await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
    const group = ReplicationGroups?.[0];
    if (!group) throw new ReplicationGroupNotFound(id);
    return group;
  } catch (error) {
    if ((error as { name?: string }).name === 'ReplicationGroupNotFoundFault') throw new ReplicationGroupNotFound(id);
    throw error;
  }
}

/** Describes `id`: the group, then its nodes' engine version and status. */
export async function cacheStatus(client: ElastiCacheClient, id: string): Promise<CacheStatus> {
  const group = await describeReplicationGroup(client, id);
  const members = new Set(group.MemberClusters ?? []);
  const clusters = new Map<string, { status: string; engineVersion: string; engine: string }>();
  for await (const page of paginateDescribeCacheClusters({ client }, {})) {
    for (const cluster of page.CacheClusters ?? []) {
      if (cluster.CacheClusterId && members.has(cluster.CacheClusterId)) {
        clusters.set(cluster.CacheClusterId, {
          status: cluster.CacheClusterStatus ?? '?',
          engineVersion: cluster.EngineVersion ?? '?',
          engine: cluster.Engine ?? '?',
        });
      }
    }
  }
  const versions = [...new Set([...clusters.values()].map((c) => c.engineVersion))];
  const endpoint = group.ConfigurationEndpoint;
  return {
    replicationGroupId: group.ReplicationGroupId ?? id,
    status: group.Status ?? '?',
    engine: group.Engine ?? [...clusters.values()][0]?.engine ?? '?',
    // Nodes differ only while an upgrade rolls through the group.
    engineVersion: versions.length ? versions.join(' → ') : '?',
    nodeType: group.CacheNodeType ?? '?',
    clusterMode: group.ClusterMode ?? (group.ClusterEnabled ? 'enabled' : 'disabled'),
    automaticFailover: group.AutomaticFailover ?? '?',
    multiAz: group.MultiAZ ?? '?',
    transitEncryption: group.TransitEncryptionEnabled ?? false,
    atRestEncryption: group.AtRestEncryptionEnabled ?? false,
    ...(endpoint?.Address ? { configurationEndpoint: `${endpoint.Address}:${endpoint.Port}` } : {}),
    shards: (group.NodeGroups ?? []).map((shard) => ({
      id: shard.NodeGroupId ?? '?',
      status: shard.Status ?? '?',
      slots: shard.Slots ?? '-',
      nodes: (shard.NodeGroupMembers ?? []).map((member) => ({
        id: member.CacheClusterId ?? '?',
        availabilityZone: member.PreferredAvailabilityZone ?? '?',
        role: member.CurrentRole ?? 'unknown',
        status: clusters.get(member.CacheClusterId ?? '')?.status ?? '?',
      })),
    })),
  };
}

/** The status as an aligned, human-readable block. */
export function formatCacheStatus(status: CacheStatus): string {
  const lines = [
    `${status.replicationGroupId}  ${status.status}`,
    `  engine           ${status.engine} ${status.engineVersion} on ${status.nodeType}`,
    `  cluster mode     ${status.clusterMode}, ${status.shards.length} shard(s)`,
    `  failover         automatic ${status.automaticFailover}, multi-AZ ${status.multiAz}`,
    `  encryption       in transit ${status.transitEncryption ? 'on' : 'OFF'}, at rest ${status.atRestEncryption ? 'on' : 'OFF'}`,
    ...(status.configurationEndpoint ? [`  endpoint         ${status.configurationEndpoint}`] : []),
  ];
  for (const shard of status.shards) {
    lines.push(`  shard ${shard.id}  ${shard.status}  slots ${shard.slots}`);
    for (const node of shard.nodes) lines.push(`    ${node.id.padEnd(40)} ${node.role.padEnd(8)} ${node.status.padEnd(10)} ${node.availabilityZone}`);
  }
  if (status.shards.some((shard) => shard.nodes.some((node) => node.role === 'unknown'))) {
    lines.push('  (ElastiCache reports node roles only in cluster mode disabled; here see the IsPrimary metric or CLUSTER NODES)');
  }
  return lines.join('\n');
}
