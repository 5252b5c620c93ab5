/**
 * Runs planned requests against the edge, as the clients of many tenants would: anonymous
 * visitors read public projects; users sign in when they have no session, read, write and sign
 * out. Each user acts one request at a time (a browser tab), and edits of one object never
 * overlap, so the freshness checker knows the order of every object's values. Every read the
 * checker can judge is judged; every ended session is tried once more and must be refused.
 */
import type { Collector, EdgeOutcome } from './collector.ts';
import { edgeOutcome } from './collector.ts';
import type { FreshnessChecker, Layer } from './freshness.ts';
import type { KindName, Planned } from './mix.ts';
import { appSettings, WORKLOAD_PASSWORD, WORKLOAD_QUOTA_PER_HOUR, type WorldTenant } from './world.ts';

/** Runs work for one key after the work queued for it before. */
class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.catch(() => {});
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}

interface UserState {
  token: string | undefined;
  password: string;
}

interface Answer {
  status: number;
  body: unknown;
  edge: EdgeOutcome;
  startedAt: number;
  latencyMs: number;
}

/** The objects the checker follows. */
export const objects = {
  project: (tenant: string, id: string) => `project ${tenant}/${id}`,
  user: (tenant: string, id: string) => `user ${tenant}/${id}`,
  settings: (tenant: string) => `app_settings ${tenant}`,
  limits: (tenant: string) => `limits ${tenant}`,
};

/** Issues planned requests through `edgeUrl`, recording into `collector` and judging with `checker`. */
export class WorkloadClient {
  readonly #edgeUrl: string;
  readonly #world: readonly WorldTenant[];
  readonly #collector: Collector;
  readonly #checker: FreshnessChecker;
  readonly #users = new Map<string, UserState>();
  readonly #userLocks = new KeyedLock();
  readonly #projectLocks = new KeyedLock();
  readonly #settingsRevisions = new Map<string, number>();
  #writes = 0;

  constructor(options: { edgeUrl: string; world: readonly WorldTenant[]; collector: Collector; checker: FreshnessChecker }) {
    this.#edgeUrl = options.edgeUrl;
    this.#world = options.world;
    this.#collector = options.collector;
    this.#checker = options.checker;
    for (const tenant of this.#world) {
      for (const project of tenant.projects) this.#checker.seed(objects.project(tenant.id, project.id), project.name);
      for (const user of tenant.users) this.#checker.seed(objects.user(tenant.id, user.id), user.name);
      this.#checker.seed(objects.settings(tenant.id), '0');
      this.#checker.seed(objects.limits(tenant.id), String(WORKLOAD_QUOTA_PER_HOUR));
    }
  }

  /** Runs one planned request (and the sign-in it may need first). */
  async run(planned: Planned): Promise<void> {
    const tenant = this.#world[planned.tenant]!;
    switch (planned.kind) {
      case 'public-project': {
        const project = tenant.publicProjects[planned.project]!;
        const answer = await this.#call('public-project', 'GET', `/v1/${tenant.id}/public/projects/${project.id}`, visitorAddress(planned.user), 200);
        this.#judgeProject('edge', tenant.id, answer);
        return;
      }
      case 'public-list': {
        const answer = await this.#call('public-list', 'GET', `/v1/${tenant.id}/public/projects`, visitorAddress(planned.user), 200);
        this.#judgeList('edge', tenant.id, answer);
        return;
      }
      case 'config-limits': {
        const answer = await this.#call('config-limits', 'GET', `/v1/${tenant.id}/config/limits`, visitorAddress(planned.user), 200);
        const limit = (answer.body as { api_calls_per_hour?: unknown } | undefined)?.api_calls_per_hour;
        if (answer.status === 200) this.#checker.read('config', objects.limits(tenant.id), String(limit), answer.startedAt);
        return;
      }
      default:
        await this.#userLocks.run(`${planned.tenant}/${planned.user}`, () => this.#signedIn(planned, tenant));
    }
  }

  async #signedIn(planned: Planned, tenant: WorldTenant): Promise<void> {
    const user = tenant.users[planned.user]!;
    const address = userAddress(planned.tenant, planned.user);
    const state = this.#users.get(user.id) ?? { token: undefined, password: WORKLOAD_PASSWORD };
    this.#users.set(user.id, state);
    if (planned.kind === 'sign-in' || !state.token) {
      const answer = await this.#call('sign-in', 'POST', `/v1/${tenant.id}/sessions`, address, 201, undefined, { email: user.email, password: state.password });
      state.token = answer.status === 201 ? (answer.body as { token: string }).token : undefined;
      if (planned.kind === 'sign-in' || !state.token) return;
    }
    const token = state.token;
    const call = async (kind: KindName, method: string, path: string, expected: number, body?: unknown) => {
      const answer = await this.#call(kind, method, path, address, expected, token, body);
      this.#checker.session(token, answer.startedAt, answer.status !== 401);
      // Ended by someone else (another of this user's devices is not modelled): sign in next time.
      if (answer.status === 401) state.token = undefined;
      return answer;
    };
    const base = `/v1/${tenant.id}`;
    switch (planned.kind) {
      case 'session':
        await call('session', 'GET', `${base}/sessions/current`, 200);
        return;
      case 'profile-me':
        this.#judgeUser(tenant.id, user.id, await call('profile-me', 'GET', `${base}/me`, 200));
        return;
      case 'profile-other': {
        const other = tenant.users[planned.other]!;
        this.#judgeUser(tenant.id, other.id, await call('profile-other', 'GET', `${base}/users/${other.id}`, 200));
        return;
      }
      case 'private-project': {
        const project = tenant.projects[planned.project]!;
        this.#judgeProject('origin', tenant.id, await call('private-project', 'GET', `${base}/projects/${project.id}`, 200));
        return;
      }
      case 'private-list':
        this.#judgeList('origin', tenant.id, await call('private-list', 'GET', `${base}/projects`, 200));
        return;
      case 'config-settings': {
        const answer = await call('config-settings', 'GET', `${base}/config/app_settings`, 200);
        if (answer.status === 200) this.#checker.read('config', objects.settings(tenant.id), String((answer.body as { rev?: unknown }).rev), answer.startedAt);
        return;
      }
      case 'project-edit': {
        const project = tenant.projects[planned.project]!;
        const object = objects.project(tenant.id, project.id);
        const name = `${project.name} · edit ${++this.#writes}`;
        await this.#projectLocks.run(object, () =>
          this.#write(object, name, () => call('project-edit', 'PATCH', `${base}/projects/${project.id}`, 200, { name })),
        );
        return;
      }
      case 'profile-edit': {
        const name = `${user.name} · edit ${++this.#writes}`;
        await this.#write(objects.user(tenant.id, user.id), name, () => call('profile-edit', 'PATCH', `${base}/users/${user.id}`, 200, { name }));
        return;
      }
      case 'config-edit': {
        const rev = (this.#settingsRevisions.get(tenant.id) ?? 0) + 1;
        this.#settingsRevisions.set(tenant.id, rev);
        await this.#write(objects.settings(tenant.id), String(rev), () =>
          call('config-edit', 'PUT', `${base}/config/app_settings`, 200, appSettings(tenant.id, rev)),
        );
        return;
      }
      case 'password-change': {
        const newPassword = `${WORKLOAD_PASSWORD} ${++this.#writes}`;
        const answer = await call('password-change', 'POST', `${base}/users/${user.id}/password`, 204, { currentPassword: state.password, newPassword });
        if (answer.status === 204) await this.#ended(state, token, address, base, answer, newPassword);
        return;
      }
      case 'logout': {
        const answer = await call('logout', 'DELETE', `${base}/sessions/current`, 204);
        if (answer.status === 204) await this.#ended(state, token, address, base, answer);
        return;
      }
      default:
        throw new Error(`unplanned kind ${planned.kind}`);
    }
  }

  /** The session behind `token` ended with `answer`: it is tried once more, and must be refused. */
  async #ended(state: UserState, token: string, address: string, base: string, answer: Answer, newPassword?: string): Promise<void> {
    const acknowledged = answer.startedAt + answer.latencyMs;
    this.#checker.revoke(token, acknowledged);
    state.token = undefined;
    if (newPassword) state.password = newPassword;
    const retry = await this.#call('ended-session', 'GET', `${base}/sessions/current`, address, 401, token);
    this.#checker.session(token, retry.startedAt, retry.status !== 401);
  }

  async #write(object: string, value: string, send: () => Promise<Answer>): Promise<void> {
    this.#checker.begin(object, value);
    const answer = await send();
    if (answer.status >= 200 && answer.status < 300) this.#checker.acknowledge(object, value, answer.startedAt + answer.latencyMs);
    else this.#checker.abandon(object, value);
  }

  #judgeProject(layer: Layer, tenant: string, answer: Answer): void {
    const project = answer.body as { id?: string; name?: string } | undefined;
    if (answer.status === 200 && project?.id) this.#checker.read(layer, objects.project(tenant, project.id), String(project.name), answer.startedAt);
  }

  #judgeList(layer: Layer, tenant: string, answer: Answer): void {
    const list = (answer.body as { data?: { id: string; name: string }[] } | undefined)?.data;
    if (answer.status !== 200 || !Array.isArray(list)) return;
    for (const project of list) this.#checker.read(layer, objects.project(tenant, project.id), project.name, answer.startedAt);
  }

  #judgeUser(tenant: string, id: string, answer: Answer): void {
    const user = answer.body as { name?: string } | undefined;
    if (answer.status === 200) this.#checker.read('origin', objects.user(tenant, id), String(user?.name), answer.startedAt);
  }

  async #call(kind: string, method: string, path: string, address: string, expected: number, token?: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { 'cf-connecting-ip': address };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const startedAt = performance.now();
    let status = 0;
    let parsed: unknown;
    let edge: EdgeOutcome;
    try {
      const response = await fetch(`${this.#edgeUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      edge = edgeOutcome(response.headers.get('cache-status'));
      const text = await response.text();
      parsed = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
    } catch {
      status = 0; // no answer: refused, reset or timed out
    }
    const latencyMs = performance.now() - startedAt;
    // Only the public routes are the edge's to cache; other answers pass through it.
    this.#collector.record(kind, latencyMs, status, expected, kind.startsWith('public-') ? edge : undefined);
    return { status, body: parsed, edge, startedAt, latencyMs };
  }
}

/** An anonymous visitor's address (`CF-Connecting-IP`): the edge limits requests per address. */
export function visitorAddress(visitor: number): string {
  return `198.18.${(visitor >> 8) & 255}.${visitor & 255}`;
}

/** A user's own address. */
export function userAddress(tenant: number, user: number): string {
  return `10.${tenant & 255}.${(user >> 8) & 255}.${user & 255}`;
}
