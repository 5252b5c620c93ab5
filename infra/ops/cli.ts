/**
 * Operations on a deployed stage's Redis, through the ElastiCache API:
 *   npm run ops -- cache-status [--stage dev] [--group cache|sessions] [--json]
 *   npm run ops -- test-failover --shard N --yes [--stage dev] [--group cache|sessions]
 * `--replication-group <id>` names a group directly; `--region` (or AWS_REGION) picks the region.
 */
import { parseArgs } from 'node:util';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { assertStage, replicationGroupId, type CacheRole } from '../naming.ts';
import { cacheStatus, formatCacheStatus, ReplicationGroupNotFound } from './cache-status.ts';
import { FailoverRefused, testFailover } from './test-failover.ts';

const USAGE = `usage:
  npm run ops -- cache-status [--stage <stage>] [--group cache|sessions] [--replication-group <id>] [--region <region>] [--json]
  npm run ops -- test-failover --shard <n> --yes [--stage <stage>] [--group cache|sessions] [--replication-group <id>] [--region <region>]`;

/** Where the CLI writes, and the client it uses (tests pass a mocked one). */
export interface OpsIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly client: (region: string | undefined) => ElastiCacheClient;
}

/** Runs one command; returns the process exit code (0 ok, 1 failed, 2 usage or refused). */
export async function runOps(argv: readonly string[], io: OpsIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        stage: { type: 'string', default: 'dev' },
        group: { type: 'string', default: 'cache' },
        'replication-group': { type: 'string' },
        region: { type: 'string' },
        shard: { type: 'string' },
        yes: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  if (positionals.length > 1 || !['cache-status', 'test-failover'].includes(command)) {
    io.err(`unknown command ${JSON.stringify(positionals.join(' '))}\n${USAGE}`);
    return 2;
  }
  let id: string;
  try {
    if (values.group !== 'cache' && values.group !== 'sessions') throw new Error(`--group must be cache or sessions, got ${JSON.stringify(values.group)}`);
    assertStage(values.stage, '--stage');
    id = values['replication-group'] ?? replicationGroupId(values.stage, values.group as CacheRole);
  } catch (error) {
    io.err((error as Error).message);
    return 2;
  }

  const client = io.client(values.region);
  try {
    if (command === 'cache-status') {
      const status = await cacheStatus(client, id);
      io.out(values.json ? JSON.stringify(status, null, 2) : formatCacheStatus(status));
      return 0;
    }
    if (values.shard === undefined) {
      io.err(`test-failover needs --shard <n>\n${USAGE}`);
      return 2;
    }
    const shard = /^\d+$/.test(values.shard) ? Number(values.shard) : Number.NaN;
    io.out(await testFailover(client, id, shard, values.yes));
    return 0;
  } catch (error) {
    if (error instanceof FailoverRefused) {
      io.err(error.message);
      return error.exitCode;
    }
    if (error instanceof ReplicationGroupNotFound) {
      io.err(error.message);
      return 1;
    }
    const { name, message } = error as Error;
    io.err(`ElastiCache ${name}: ${message}`);
    return 1;
  } finally {
    client.destroy();
  }
}

if (import.meta.main) {
  process.exitCode = await runOps(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    client: (region) => new ElastiCacheClient(region ? { region } : {}),
  });
}
