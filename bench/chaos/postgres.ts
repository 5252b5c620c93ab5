/**
 * A PostgreSQL database of the chaos benchmark's own on the server `DATABASE_URL` names
 * (`strata_chaos_<pid>`), dropped afterwards, and the fault it allows on a shared server that
 * cannot be restarted: terminating every backend connected to that database.
 */
import pg from 'pg';

export interface ChaosDatabase {
  /** The connection string the stack uses. */
  readonly url: string;
  readonly name: string;
  /** Terminates every connection to the database but this helper's own; how many it ended. */
  terminateBackends(): Promise<number>;
  drop(): Promise<void>;
}

/** Creates `strata_chaos_<pid>` on the server of `serverUrl`. */
export async function createChaosDatabase(serverUrl: string): Promise<ChaosDatabase> {
  const name = `strata_chaos_${process.pid}`;
  // The helper connects to the server's own database, never to the one it terminates.
  const admin = new pg.Client({ connectionString: serverUrl });
  admin.on('error', () => {});
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async terminateBackends() {
      const rows = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      return rows.rowCount ?? 0;
    },
    async drop() {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
