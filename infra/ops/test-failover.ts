/**
 * `test-failover`: promotes a replica of one shard, as a real primary failure would, to prove
 * the origin rides it out. Refuses unless confirmed, and checks first what ElastiCache would
 * otherwise reject half-way (group busy, failover off, shard without replica).
 */
import { TestFailoverCommand, type ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { shardId } from '../naming.ts';
import { describeReplicationGroup } from './cache-status.ts';

/** A failover that was not started, and why; the CLI exits with `exitCode`. */
export class FailoverRefused extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'FailoverRefused';
    this.exitCode = exitCode;
  }
}

/** Starts a test failover of shard `shard` (1-based) of group `id`; returns what to tell the operator. */
export async function testFailover(client: ElastiCacheClient, id: string, shard: number, confirmed: boolean): Promise<string> {
  if (!Number.isInteger(shard) || shard < 1 || shard > 500) throw new FailoverRefused(`--shard must be a shard number from 1 to 500, got ${shard}`, 2);
  const nodeGroupId = shardId(shard);
  const group = await describeReplicationGroup(client, id);
  const target = group.NodeGroups?.find((g) => g.NodeGroupId === nodeGroupId);
  if (!target) {
    const known = (group.NodeGroups ?? []).map((g) => g.NodeGroupId).join(', ');
    throw new FailoverRefused(`${id} has no shard ${nodeGroupId} (shards: ${known || 'none'})`, 2);
  }
  if (group.Status !== 'available') throw new FailoverRefused(`${id} is ${group.Status}, not available; wait for it to settle`);
  if (group.AutomaticFailover !== 'enabled')
    throw new FailoverRefused(`${id} has automatic failover ${group.AutomaticFailover ?? 'unset'}; a test failover needs it enabled`);
  if ((target.NodeGroupMembers?.length ?? 0) < 2) throw new FailoverRefused(`shard ${nodeGroupId} of ${id} has no replica to promote`);
  if (!confirmed) {
    throw new FailoverRefused(
      `test-failover promotes a replica of shard ${nodeGroupId} in ${id}; its primary drops its connections for a few seconds. Re-run with --yes to start it.`,
      2,
    );
  }
  const { ReplicationGroup } = await client.send(new TestFailoverCommand({ ReplicationGroupId: id, NodeGroupId: nodeGroupId }));
  return `started a test failover of shard ${nodeGroupId} in ${id} (group now ${ReplicationGroup?.Status ?? 'unknown'}); follow it with: npm run ops -- cache-status`;
}
