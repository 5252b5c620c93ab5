/**
 * Public project reads with their caching strategies (`../cache-policies.ts`): a single project is
 * a resource (`resource:{tenant}:project:{id}`, 30 min); the public list is an API response
 * (`api:v1:{tenant}:…`, 5 min) tagged `projects`, so any project write can invalidate every list.
 * An API response is cached as the representation it is sent as (`../http/representation.ts`).
 */
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { apiResponseKey, resourceKey } from '../../common/keys.ts';
import type { CacheEngine, CachePolicy, CacheResult } from '../cache/index.ts';
import type { DataType } from '../../common/keys.ts';
import { jsonRepresentation, type Representation } from '../http/representation.ts';
import type { Project, ProjectRepository } from './repository.ts';

/**
 * The stored form of cached API responses, in their keys: releases that stored the bare value
 * used keys without it, so neither reads the other's entries while both run (a rolling deploy).
 */
export const API_RESPONSE_FORMAT = 'representation-1';

/** Redis key of a tenant's public project list. */
export function projectListKey(tenant: string): Promise<string> {
  return apiResponseKey('v1', tenant, `GET /public/projects ${API_RESPONSE_FORMAT}`, '');
}

/** Redis key of one project. */
export function projectKey(tenant: string, id: string): string {
  return resourceKey(tenant, 'project', id);
}

/** The body of `GET /v1/{tenant}/public/projects`. */
export interface ProjectList {
  data: Project[];
}

/** Reads public projects through the cache. */
export class PublicProjects {
  readonly #repository: ProjectRepository;
  readonly #cache: CacheEngine;
  readonly #policies: Record<DataType, CachePolicy>;

  constructor(repository: ProjectRepository, cache: CacheEngine, policies: Record<DataType, CachePolicy>) {
    this.#repository = repository;
    this.#cache = cache;
    this.#policies = policies;
  }

  /** The tenant's public projects as JSON (a `ProjectList`); 404 `tenant_not_found` for an unknown tenant. */
  async list(tenant: string): Promise<CacheResult<Representation<ProjectList>>> {
    return this.#cache.getOrLoad({
      key: await projectListKey(tenant),
      tenant,
      policy: this.#policies.api,
      tags: ['projects'],
      load: async () => {
        await this.#assertTenant(tenant);
        const list: ProjectList = { data: await this.#repository.listPublic(tenant) };
        return jsonRepresentation(list);
      },
    });
  }

  /** One public project; private and missing projects are the same 404 so neither leaks. */
  async get(tenant: string, id: string): Promise<CacheResult<Project>> {
    const { value, status } = await this.#cache.getOrLoad({
      key: projectKey(tenant, id),
      tenant,
      policy: this.#policies.resource,
      tags: [`project:${id}`],
      load: () => this.#repository.findById(tenant, id),
    });
    if (value === undefined || value.visibility !== 'public') {
      await this.#assertTenant(tenant);
      throw new HttpError(404, ERROR_CODES.notFound, `project ${id} not found in tenant ${tenant}`);
    }
    return { value, status };
  }

  async #assertTenant(tenant: string): Promise<void> {
    if (!(await this.#repository.tenantExists(tenant))) {
      throw new HttpError(404, ERROR_CODES.tenantNotFound, `tenant ${tenant} does not exist`);
    }
  }
}
