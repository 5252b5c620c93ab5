/**
 * What the chaos load was told succeeded: each acknowledged project write (its sequence number
 * and when its 2xx arrived) and each acknowledged sign-in (its token). Reads are judged against
 * it: a read that started after a write was acknowledged must not return an older value, at
 * the origin at once, at the edge after the documented purge bound.
 */

/** A demo project the load renames (fixed ids from `origin/db/seed.ts`). */
export interface ChaosProject {
  tenant: 'acme' | 'globex';
  id: string;
  /** Short name used in written values: `chaos-<tag>-<seq>`. */
  tag: string;
  public: boolean;
}

export const PROJECTS: readonly ChaosProject[] = [
  { tenant: 'acme', id: '1a000000-0000-4000-8000-000000000001', tag: 'a01', public: true },
  { tenant: 'acme', id: '1a000000-0000-4000-8000-000000000002', tag: 'a02', public: true },
  { tenant: 'acme', id: '1a000000-0000-4000-8000-000000000003', tag: 'a03', public: false },
  { tenant: 'globex', id: '1b000000-0000-4000-8000-000000000001', tag: 'b01', public: true },
  { tenant: 'globex', id: '1b000000-0000-4000-8000-000000000002', tag: 'b02', public: false },
];

/** The demo users (all sign in with `DEMO_PASSWORD`); the first of each tenant is its admin. */
export const USERS: readonly { tenant: 'acme' | 'globex'; email: string; admin: boolean }[] = [
  { tenant: 'acme', email: 'alice@acme.test', admin: true },
  { tenant: 'acme', email: 'bob@acme.test', admin: false },
  { tenant: 'globex', email: 'hank@globex.test', admin: true },
  { tenant: 'globex', email: 'frank@globex.test', admin: false },
];

/** The value a write of `seq` gives `project`'s name. */
export const nameFor = (project: ChaosProject, seq: number) => `chaos-${project.tag}-${seq}`;

/** The sequence number of `project` in a response body; 0 when it still has its seeded name. */
export function seqIn(project: ChaosProject, body: string): number {
  const match = new RegExp(`chaos-${project.tag}-(\\d+)`).exec(body);
  return match ? Number(match[1]) : 0;
}

/** An acknowledged sign-in. */
export interface SessionRecord {
  tenant: string;
  token: string;
  at: number;
}

interface ProjectState {
  nextSeq: number;
  writing: boolean;
  acked: { seq: number; at: number }[];
}

export class Ledger {
  readonly sessions: SessionRecord[] = [];
  readonly #projects = new Map<string, ProjectState>(PROJECTS.map((p) => [p.id, { nextSeq: 1, writing: false, acked: [] }]));

  #state(project: ChaosProject): ProjectState {
    return this.#projects.get(project.id)!;
  }

  /** Starts a write of `project` unless one is in flight (writes to a project are serial); its seq. */
  beginWrite(project: ChaosProject): number | undefined {
    const state = this.#state(project);
    if (state.writing) return undefined;
    state.writing = true;
    return state.nextSeq++;
  }

  endWrite(project: ChaosProject, seq: number, acknowledgedAt: number | undefined): void {
    const state = this.#state(project);
    state.writing = false;
    if (acknowledgedAt !== undefined) state.acked.push({ seq, at: acknowledgedAt });
  }

  writing(): boolean {
    return [...this.#projects.values()].some((state) => state.writing);
  }

  /** The newest seq acknowledged at or before `at` (0: none). */
  ackedBy(project: ChaosProject, at: number): number {
    const acked = this.#state(project).acked;
    for (let i = acked.length - 1; i >= 0; i--) if (acked[i]!.at <= at) return acked[i]!.seq;
    return 0;
  }

  lastAcked(project: ChaosProject): number {
    return this.#state(project).acked.at(-1)?.seq ?? 0;
  }

  acknowledgedWrites(): number {
    return [...this.#projects.values()].reduce((sum, state) => sum + state.acked.length, 0);
  }
}
