/**
 * This test file's own Upstash namespace (a Redis database of its own behind the fake origin,
 * `test/harness/fake-upstash.ts`): each file imports its own copy of this module, so a purge of
 * everything, a rate-limit count or a version bump in one file is never read by another, in any
 * order or worker.
 */
import { inject } from 'vitest';
import type { Env } from '../../edge/env.ts';

/** The namespace of the file that imported this module. */
export const FILE_NAMESPACE = crypto.randomUUID().replaceAll('-', '').slice(0, 16);

/** `UPSTASH_REDIS_REST_URL` of this file's namespace. */
export const fileUpstashUrl = (): string => `${inject('fakeOriginUrl')}/_fake/upstash-ns/${FILE_NAMESPACE}`;

/** Bindings of an edge whose purge versions and rate limits live in this file's namespace. */
export const fileUpstash = (): Partial<Env> => ({ UPSTASH_REDIS_REST_URL: fileUpstashUrl(), UPSTASH_REDIS_REST_TOKEN: inject('upstashToken') });

/** The switchable way (`/_fake/upstash/{id}`) of `name`, inside this file's namespace. */
export const switchableId = (name: string): string => `${FILE_NAMESPACE}.${name}`;
