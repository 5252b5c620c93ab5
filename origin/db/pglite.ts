import { mkdir } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './interface.ts';

/** Where PGlite keeps its files: a folder, or `memory://` for a throw-away database. */
export interface PgliteConfig {
  dataDir: string;
}

/** Opens an embedded PostgreSQL (PGlite). One connection; PGlite serialises statements itself. */
export async function openPglite(config: PgliteConfig): Promise<Database> {
  if (!config.dataDir.startsWith('memory://')) await mkdir(config.dataDir, { recursive: true });
  // Loaded on demand: the Lambda bundle talks to a real server and leaves PGlite out.
  const { PGlite: Engine } = await import('@electric-sql/pglite');
  const pg = await Engine.create(config.dataDir);
  const wrap = (target: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<Row>(sql, [...params]);
      return result.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(pg),
    transaction: (work) => pg.transaction((tx) => work(wrap(tx))),
    close: () => pg.close(),
  };
}
