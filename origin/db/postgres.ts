import pg from 'pg';
import { iamPassword } from './iam-auth.ts';
import type { Database, Queryable } from './interface.ts';

/** How to reach a PostgreSQL server. */
export interface PostgresConfig {
  connectionString: string;
  /** Pool size; Lambda wants 1–2 per instance (RDS Proxy multiplexes). */
  maxConnections: number;
  /** Sign in with an IAM token (RDS Proxy) over TLS instead of a password; `region` for the signature. */
  iamAuth?: { region: string | undefined };
  /** The password, asked for by every new connection (so a rotated one is picked up). */
  password?: () => Promise<string>;
}

/** Opens a pooled node-postgres connection. The pool lives as long as the process or Lambda instance. */
export function openPostgres(config: PostgresConfig): Database {
  const pool = new pg.Pool({
    connectionString: config.connectionString,
    max: config.maxConnections,
    ...(config.iamAuth ? { password: iamPassword(config.connectionString, config.iamAuth.region), ssl: { rejectUnauthorized: true } } : {}),
    ...(config.password && !config.iamAuth ? { password: config.password } : {}),
  });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const wrap = (target: Pick<pg.Pool | pg.PoolClient, 'query'>): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query(sql, [...params]);
      return result.rows as Row[];
    },
    async exec(sql: string) {
      // Without parameters node-postgres uses the simple protocol, which accepts many statements.
      await target.query(sql);
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(work) {
      const client = await pool.connect();
      // A connection ended while checked out (server restart, pg_terminate_backend) emits
      // `error` on the client, which the pool listens for only while it is idle: unheard, it
      // would kill the process. The transaction's next statement fails instead, and the
      // client is discarded on release.
      let lost: Error | undefined;
      const onLost = (error: Error) => {
        lost = error;
      };
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (!lost) await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.off('error', onLost);
        client.release(lost);
      }
    },
    close: () => pool.end(),
  };
}
