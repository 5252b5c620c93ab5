/**
 * The narrow port the origin uses to reach PostgreSQL. Two adapters implement it: PGlite
 * (embedded, the local default) and node-postgres (a real server through `DATABASE_URL`).
 */

/** A connection or transaction that runs parameterised SQL. */
export interface Queryable {
  /** Runs one statement with `$n` parameters and returns its rows. */
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations, seeds). */
  exec(sql: string): Promise<void>;
}

/** A database handle owned by the composition root. */
export interface Database extends Queryable {
  /** Which adapter this is, for `/health` and logs. */
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes connections; the handle is unusable afterwards. */
  close(): Promise<void>;
}
