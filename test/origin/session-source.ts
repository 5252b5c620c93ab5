/**
 * An in-process source of truth for session tests (the API's PostgreSQL source arrives with the
 * API). It counts calls so tests can tell a Redis answer from a source answer.
 */
import type { Revocation, Session, SessionSource } from '../../origin/sessions/store.ts';

/** A Map-backed `SessionSource` with call counters. */
export function memorySessionSource() {
  const rows = new Map<string, Session>();
  const revoked = new Map<string, Revocation>();
  const calls = { save: 0, load: 0, delete: 0 };
  const source: SessionSource = {
    async save(sid, session) {
      calls.save++;
      // Like the PostgreSQL source: an access never brings back a deleted session.
      if (session.lastAccess > session.createdAt && !rows.has(sid)) return false;
      rows.set(sid, { ...session });
      return true;
    },
    async load(tenant, sid) {
      calls.load++;
      const row = rows.get(sid);
      return row && row.tenant === tenant ? { ...row } : undefined;
    },
    async delete(tenant, sids) {
      calls.delete++;
      const ended: Revocation[] = [];
      for (const sid of sids) {
        const row = rows.get(sid);
        if (row?.tenant !== tenant) continue;
        rows.delete(sid);
        ended.push({ tenant, userId: row.userId, sid });
        revoked.set(sid, ended.at(-1)!);
      }
      return ended;
    },
    async revocations(limit) {
      return [...revoked.values()].slice(0, limit);
    },
    async settle(sids) {
      for (const sid of sids) revoked.delete(sid);
    },
    async listByUser(tenant, userId) {
      return [...rows].filter(([, s]) => s.tenant === tenant && s.userId === userId).map(([sid]) => sid);
    },
  };
  return { source, rows, calls };
}
