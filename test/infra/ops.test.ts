/** The ops CLI against a mocked ElastiCache client (aws-sdk-client-mock): AWS is unreachable here. */
import {
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ReplicationGroupNotFoundFault,
  TestFailoverCommand,
  TestFailoverNotAvailableFault,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runOps } from '../../infra/ops/cli.ts';

const elasticache = mockClient(ElastiCacheClient);

function group(overrides: Partial<ReplicationGroup> = {}): ReplicationGroup {
  const shard = (n: number, slots: string) => ({
    NodeGroupId: `000${n}`,
    Status: 'available',
    Slots: slots,
    NodeGroupMembers: [1, 2].map((node) => ({
      CacheClusterId: `strata-dev-cache-000${n}-00${node}`,
      CacheNodeId: '0001',
      PreferredAvailabilityZone: `us-east-1${node === 1 ? 'a' : 'b'}`,
    })),
  });
  return {
    ReplicationGroupId: 'strata-dev-cache',
    Status: 'available',
    Engine: 'valkey',
    CacheNodeType: 'cache.t4g.small',
    ClusterEnabled: true,
    ClusterMode: 'enabled',
    AutomaticFailover: 'enabled',
    MultiAZ: 'enabled',
    TransitEncryptionEnabled: true,
    AtRestEncryptionEnabled: true,
    ConfigurationEndpoint: { Address: 'clustercfg.strata-dev-cache.abc.use1.cache.amazonaws.com', Port: 6379 },
    MemberClusters: [1, 2, 3].flatMap((n) => [`strata-dev-cache-000${n}-001`, `strata-dev-cache-000${n}-002`]),
    NodeGroups: [shard(1, '0-5460'), shard(2, '5461-10922'), shard(3, '10923-16383')],
    ...overrides,
  };
}

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const regions: (string | undefined)[] = [];
  const code = await runOps(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    client: (region) => {
      regions.push(region);
      return new ElastiCacheClient({ region: region ?? 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    },
  });
  return { code, out: out.join('\n'), err: err.join('\n'), regions };
}

beforeEach(() => {
  elasticache.reset();
  elasticache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group()] });
  elasticache.on(DescribeCacheClustersCommand).resolves({
    CacheClusters: [
      ...group().MemberClusters!.map((id) => ({
        CacheClusterId: id,
        CacheClusterStatus: 'available',
        Engine: 'valkey',
        EngineVersion: '8.1.0',
        ReplicationGroupId: 'strata-dev-cache',
      })),
      { CacheClusterId: 'someone-else-0001-001', CacheClusterStatus: 'available', Engine: 'redis', EngineVersion: '7.1.0' },
    ],
  });
});

describe('npm run ops -- cache-status', () => {
  it('describes the stage’s cache group: status, engine version, shards, nodes, roles', async () => {
    const { code, out } = await run('cache-status', '--region', 'us-east-1');
    expect(code).toBe(0);
    expect(elasticache.commandCalls(DescribeReplicationGroupsCommand)[0]!.args[0].input).toEqual({ ReplicationGroupId: 'strata-dev-cache' });
    expect(out).toContain('strata-dev-cache  available');
    expect(out).toContain('engine           valkey 8.1.0 on cache.t4g.small');
    expect(out).toContain('cluster mode     enabled, 3 shard(s)');
    expect(out).toContain('failover         automatic enabled, multi-AZ enabled');
    expect(out).toContain('encryption       in transit on, at rest on');
    expect(out).toContain('endpoint         clustercfg.strata-dev-cache.abc.use1.cache.amazonaws.com:6379');
    expect(out).toContain('shard 0002  available  slots 5461-10922');
    expect(out).toMatch(/strata-dev-cache-0003-002 +unknown +available +us-east-1b/);
    expect(out).toContain('ElastiCache reports node roles only in cluster mode disabled');
  });

  it('shows roles where ElastiCache reports them, and a rolling upgrade as two versions', async () => {
    const withRoles = group();
    withRoles.NodeGroups![0]!.NodeGroupMembers![0]!.CurrentRole = 'primary';
    withRoles.NodeGroups![0]!.NodeGroupMembers![1]!.CurrentRole = 'replica';
    elasticache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [{ ...withRoles, NodeGroups: [withRoles.NodeGroups![0]!] }] });
    elasticache.on(DescribeCacheClustersCommand).resolves({
      CacheClusters: [
        { CacheClusterId: 'strata-dev-cache-0001-001', CacheClusterStatus: 'modifying', EngineVersion: '8.1.0' },
        { CacheClusterId: 'strata-dev-cache-0001-002', CacheClusterStatus: 'available', EngineVersion: '8.0.1' },
      ],
    });
    const { out } = await run('cache-status');
    expect(out).toMatch(/strata-dev-cache-0001-001 +primary +modifying/);
    expect(out).toMatch(/strata-dev-cache-0001-002 +replica +available/);
    expect(out).toContain('valkey 8.1.0 → 8.0.1');
    expect(out).not.toContain('reports node roles only');
  });

  it('names the sessions group of another stage, or any group, and prints JSON', async () => {
    await run('cache-status', '--stage', 'production', '--group', 'sessions');
    expect(elasticache.commandCalls(DescribeReplicationGroupsCommand)[0]!.args[0].input).toEqual({ ReplicationGroupId: 'strata-production-sessions' });
    const { out } = await run('cache-status', '--replication-group', 'strata-dev-cache', '--json');
    const status = JSON.parse(out);
    expect(status).toMatchObject({ replicationGroupId: 'strata-dev-cache', engineVersion: '8.1.0', shards: [{ id: '0001' }, { id: '0002' }, { id: '0003' }] });
    expect(status.shards[0].nodes).toHaveLength(2);
  });

  it('says clearly when the group does not exist, or AWS fails', async () => {
    elasticache.on(DescribeReplicationGroupsCommand).rejects(new ReplicationGroupNotFoundFault({ message: 'not found', $metadata: {} }));
    const missing = await run('cache-status', '--stage', 'qa');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toContain('replication group strata-qa-cache not found');
    elasticache.on(DescribeReplicationGroupsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    expect(await run('cache-status')).toMatchObject({ code: 1, err: 'ElastiCache ThrottlingException: Rate exceeded' });
  });

  it('refuses bad options before calling AWS', async () => {
    expect(await run('cache-status', '--group', 'other')).toMatchObject({ code: 2, err: expect.stringContaining('--group must be cache or sessions') });
    expect(await run('cache-status', '--stage', 'Prod')).toMatchObject({ code: 2, err: expect.stringContaining('--stage: stage must match') });
    expect(await run('cache-status', '--bogus')).toMatchObject({ code: 2, err: expect.stringContaining("Unknown option '--bogus'") });
    expect(await run('flush-all')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "flush-all"') });
    expect(await run()).toMatchObject({ code: 2, err: expect.stringContaining('usage:') });
    expect(elasticache.calls()).toHaveLength(0);
  });
});

describe('npm run ops -- test-failover', () => {
  it('starts a test failover of the shard when confirmed', async () => {
    elasticache.on(TestFailoverCommand).resolves({ ReplicationGroup: group({ Status: 'modifying' }) });
    const { code, out } = await run('test-failover', '--shard', '2', '--yes');
    expect(code).toBe(0);
    expect(elasticache.commandCalls(TestFailoverCommand)[0]!.args[0].input).toEqual({ ReplicationGroupId: 'strata-dev-cache', NodeGroupId: '0002' });
    expect(out).toContain('started a test failover of shard 0002 in strata-dev-cache (group now modifying)');
  });

  it('refuses without --yes, and says what it would do', async () => {
    const { code, err } = await run('test-failover', '--shard', '1');
    expect(code).toBe(2);
    expect(err).toContain('promotes a replica of shard 0001 in strata-dev-cache');
    expect(err).toContain('--yes');
    expect(elasticache.commandCalls(TestFailoverCommand)).toHaveLength(0);
  });

  it.each([
    [['--shard', '4', '--yes'], {}, 2, 'strata-dev-cache has no shard 0004 (shards: 0001, 0002, 0003)'],
    [['--shard', 'two', '--yes'], {}, 2, '--shard must be a shard number from 1 to 500'],
    [['--shard', '0', '--yes'], {}, 2, '--shard must be a shard number from 1 to 500, got 0'],
    [['--yes'], {}, 2, 'test-failover needs --shard <n>'],
    [['--shard', '1', '--yes'], { Status: 'modifying' }, 1, 'strata-dev-cache is modifying, not available'],
    [['--shard', '1', '--yes'], { AutomaticFailover: 'disabled' }, 1, 'automatic failover disabled; a test failover needs it enabled'],
  ])('refuses %j on %j', async (args, overrides, exitCode, message) => {
    elasticache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group(overrides as Partial<ReplicationGroup>)] });
    const result = await run('test-failover', ...(args as string[]));
    expect(result.code).toBe(exitCode);
    expect(result.err).toContain(message);
    expect(elasticache.commandCalls(TestFailoverCommand)).toHaveLength(0);
  });

  it('refuses a shard without a replica', async () => {
    const single = group();
    single.NodeGroups![0]!.NodeGroupMembers = single.NodeGroups![0]!.NodeGroupMembers!.slice(0, 1);
    elasticache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [single] });
    expect(await run('test-failover', '--shard', '1', '--yes')).toMatchObject({ code: 1, err: 'shard 0001 of strata-dev-cache has no replica to promote' });
  });

  it("passes ElastiCache's own refusal on, e.g. the 24-hour failover limit", async () => {
    elasticache.on(TestFailoverCommand).rejects(new TestFailoverNotAvailableFault({ message: 'TestFailover limit reached', $metadata: {} }));
    expect(await run('test-failover', '--shard', '3', '--yes', '--region', 'eu-west-1')).toMatchObject({
      code: 1,
      err: 'ElastiCache TestFailoverNotAvailableFault: TestFailover limit reached',
      regions: ['eu-west-1'],
    });
  });
});
