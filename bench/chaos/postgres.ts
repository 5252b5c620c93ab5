/**
 * The chaos benchmark's PostgreSQL, one of two kinds:
 *
 * - `private`: a server of its own (`local/postgres-server.ts`), started whenever the
 *   PostgreSQL binaries are on this machine, which the benchmark can stop, crash and restart;
 * - `shared`: without the binaries but with `DATABASE_URL`, a database of its own
 *   (`strata_chaos_<pid>`) on that server, dropped afterwards. A shared server cannot be
 *   restarted; what the benchmark can do there is end every connection to its database.
 *
 * Both can terminate every backend of the stack's database (`pg_terminate_backend`).
 */
import pg from 'pg';
import { freePort } from '../../local/ports.ts';
import { findPostgresBinaries, startPostgresServer, type PostgresServer } from '../../local/postgres-server.ts';

export interface ChaosPostgres {
  readonly kind: 'private' | 'shared';
  /** The connection string the stack uses. */
  readonly url: string;
  /** For the report. */
  readonly description: string;
  /** The server itself, when it is the benchmark's own. */
  readonly server: PostgresServer | undefined;
  /** Terminates every connection to the stack's database but the helper's own; how many it ended. */
  terminateBackends(): Promise<number>;
  /** Drops the database or stops the server. */
  close(): Promise<void>;
}

const DATABASE = 'strata_chaos';

/** The chaos stack's environment: a free edge port, and `postgres` or, without it, PGlite in memory. */
export async function chaosStackEnv(postgres: ChaosPostgres | undefined): Promise<NodeJS.ProcessEnv> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    EDGE_PORT: String(await freePort()),
    ORIGIN_PORT: '0',
    ...(postgres ? { DATABASE_URL: postgres.url } : { PGLITE_DIR: 'memory://' }),
  };
}

/**
 * A private server when the binaries are here, else a database of its own on the server
 * `sharedServerUrl` names, else undefined (the stack runs on PGlite).
 */
export async function startChaosPostgres(sharedServerUrl: string | undefined): Promise<ChaosPostgres | undefined> {
  if (findPostgresBinaries()) return privatePostgres();
  return sharedServerUrl ? sharedDatabase(sharedServerUrl) : undefined;
}

/**
 * A client on the server's own `postgres` database (never the one it terminates), made again
 * when the server's restart ended the last one.
 */
function adminClient(serverUrl: string) {
  let current: Promise<pg.Client> | undefined;
  let broken = false;
  const connect = async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    client.on('error', () => {
      broken = true;
    });
    client.on('end', () => {
      broken = true;
    });
    await client.connect();
    return client;
  };
  return {
    async query<Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<Row>> {
      if (!current || broken) {
        const stale = current;
        broken = false;
        current = connect();
        current.catch(() => {});
        void stale?.then((client) => client.end()).catch(() => {});
      }
      return (await current).query<Row>(sql, params);
    },
    async end() {
      await (await current?.catch(() => undefined))?.end().catch(() => {});
    },
  };
}

const terminateSql = 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()';

async function privatePostgres(): Promise<ChaosPostgres> {
  const server = await startPostgresServer({ database: DATABASE });
  const admin = adminClient(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
  return {
    kind: 'private',
    url: server.url,
    description: `a PostgreSQL server of its own on 127.0.0.1:${server.port}`,
    server,
    async terminateBackends() {
      return (await admin.query(terminateSql, [DATABASE])).rowCount ?? 0;
    },
    async close() {
      await admin.end();
      await server.close();
    },
  };
}

/** Creates `strata_chaos_<pid>` on the server of `serverUrl`. */
async function sharedDatabase(serverUrl: string): Promise<ChaosPostgres> {
  const name = `strata_chaos_${process.pid}`;
  const admin = adminClient(serverUrl);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'shared',
    url: url.toString(),
    description: `PostgreSQL database ${name} on the server DATABASE_URL names`,
    server: undefined,
    async terminateBackends() {
      return (await admin.query(terminateSql, [name])).rowCount ?? 0;
    },
    async close() {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
