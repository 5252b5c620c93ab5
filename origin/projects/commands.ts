/**
 * Authenticated project reads and writes. Writes commit the row and, when the project is or was
 * public, its purge record in one transaction (the outbox); then the cache is written
 * through under fresh tag versions, so a read after a 2xx never sees the old value, and
 * the outbox is kicked to tell the edge.
 */
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { apiResponseKey } from '../../common/keys.ts';
import type { DataType } from '../../common/keys.ts';
import type { PurgeMessage } from '../../common/purge.ts';
import type { CacheEngine, CachePolicy, CacheResult, CacheTarget } from '../cache/index.ts';
import type { Database, Queryable } from '../db/index.ts';
import { enqueuePurge, type OutboxRecord } from '../outbox/store.ts';
import { ProjectRepository, type Project, type ProjectInput } from './repository.ts';
import { jsonRepresentation, type Representation } from '../http/representation.ts';
import { API_RESPONSE_FORMAT, projectKey, type ProjectList } from './service.ts';

/** Redis key of a tenant's full (authenticated) project list. */
export function allProjectsKey(tenant: string): Promise<string> {
  return apiResponseKey('v1', tenant, `GET /projects ${API_RESPONSE_FORMAT}`, '');
}

/** What the edge must drop when a public project changes: its tag and the tenant's public list. */
export function projectPurge(tenant: string, id: string): Omit<PurgeMessage, 'id'> {
  return { tags: [`project:${id}`], prefixes: [`/v1/${tenant}/public/projects`] };
}

/** Anything that can be told "purges are waiting" (the outbox deliverer), with the ones just committed. */
export interface PurgeNotifier {
  kick(committed?: readonly OutboxRecord[]): void;
}

/** Project reads and writes for signed-in members of a tenant. */
export class ProjectCommands {
  readonly #db: Database;
  readonly #cache: CacheEngine;
  readonly #policies: Record<DataType, CachePolicy>;
  readonly #outbox: PurgeNotifier;

  constructor(db: Database, cache: CacheEngine, policies: Record<DataType, CachePolicy>, outbox: PurgeNotifier) {
    this.#db = db;
    this.#cache = cache;
    this.#policies = policies;
    this.#outbox = outbox;
  }

  /** Every project of the tenant as JSON (a `ProjectList`), cached as an API response tagged `projects`. */
  async list(tenant: string): Promise<CacheResult<Representation<ProjectList>>> {
    return this.#cache.getOrLoad({
      key: await allProjectsKey(tenant),
      tenant,
      policy: this.#policies.api,
      tags: ['projects'],
      load: async () => {
        const repository = new ProjectRepository(this.#db);
        await assertTenant(repository, tenant);
        const list: ProjectList = { data: await repository.listAll(tenant) };
        return jsonRepresentation(list);
      },
    });
  }

  /** One project, public or private; 404 when it is not the tenant's. */
  async get(tenant: string, id: string): Promise<CacheResult<Project>> {
    const { value, status } = await this.#cache.getOrLoad({ ...this.#target(tenant, id), load: () => new ProjectRepository(this.#db).findById(tenant, id) });
    if (value === undefined) throw notFound(tenant, id);
    return { value, status };
  }

  /** Creates a project; a public one also queues a purge of the tenant's public list. */
  async create(tenant: string, input: ProjectInput, owner?: string): Promise<Project> {
    const id = crypto.randomUUID();
    return this.#write(tenant, id, async (tx) => {
      const repository = new ProjectRepository(tx);
      await assertTenant(repository, tenant);
      const project = await repository.insert(tenant, id, input, owner);
      return { project, purge: project.visibility === 'public' };
    });
  }

  /** Changes a project; purges when it was or becomes public. */
  async update(tenant: string, id: string, patch: Partial<ProjectInput>): Promise<Project> {
    return this.#write(tenant, id, async (tx) => {
      const repository = new ProjectRepository(tx);
      const before = await repository.lock(tenant, id);
      if (!before) throw notFound(tenant, id);
      const project = (await repository.update(tenant, id, patch))!;
      return { project, purge: before.visibility === 'public' || project.visibility === 'public' };
    });
  }

  /** Deletes a project; purges when it was public. */
  async delete(tenant: string, id: string): Promise<void> {
    let queued: OutboxRecord | undefined;
    await this.#db.transaction(async (tx) => {
      const repository = new ProjectRepository(tx);
      const before = await repository.lock(tenant, id);
      if (!before) throw notFound(tenant, id);
      await repository.remove(tenant, id);
      if (before.visibility === 'public') queued = await enqueuePurge(tx, projectPurge(tenant, id));
    });
    await this.#cache.invalidateTags(tenant, ['projects', `project:${id}`]);
    await this.#cache.delete({ key: projectKey(tenant, id), tenant });
    if (queued) this.#outbox.kick([queued]);
  }

  async #write(tenant: string, id: string, change: (tx: Queryable) => Promise<{ project: Project; purge: boolean }>): Promise<Project> {
    let queued: OutboxRecord | undefined;
    const project = await this.#cache.writeThrough(this.#target(tenant, id), async () => {
      const done = await this.#db.transaction(async (tx) => {
        const result = await change(tx);
        return { ...result, queued: result.purge ? await enqueuePurge(tx, projectPurge(tenant, id)) : undefined };
      });
      queued = done.queued;
      // New versions first: a read that loaded the old row before the commit stores an entry
      // that is born invalid, and the write-through below is stored under the new ones.
      await this.#cache.invalidateTags(tenant, ['projects', `project:${id}`]);
      return done.project;
    });
    if (queued) this.#outbox.kick([queued]);
    return project;
  }

  #target(tenant: string, id: string): CacheTarget {
    return { key: projectKey(tenant, id), tenant, policy: this.#policies.resource, tags: [`project:${id}`] };
  }
}

function notFound(tenant: string, id: string): HttpError {
  return new HttpError(404, ERROR_CODES.notFound, `project ${id} not found in tenant ${tenant}`);
}

async function assertTenant(repository: ProjectRepository, tenant: string): Promise<void> {
  if (!(await repository.tenantExists(tenant))) throw new HttpError(404, ERROR_CODES.tenantNotFound, `tenant ${tenant} does not exist`);
}
