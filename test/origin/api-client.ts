/**
 * Request helpers for the authenticated API tests: JSON bodies, bearer tokens, and a record of
 * every key the app's cache store was asked about, to prove rejected input never reaches one.
 */
import { vi } from 'vitest';
import { DEMO_PASSWORD, DEMO_TENANTS } from '../../origin/db/seed.ts';
import type { TestOrigin } from './origin-app.ts';

export const acme = DEMO_TENANTS[0]!;
export const globex = DEMO_TENANTS[1]!;
/** Alice is an admin of acme; Bob is not. */
export const alice = acme.users[0]!;
export const bob = acme.users[1]!;
export const hank = globex.users[0]!;

/** Sends `body` (an object as JSON, a string as is) with an optional bearer token. */
export async function send(
  origin: TestOrigin,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  return origin.app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
}

/** Signs `email` in to `tenant` with the demo password and returns the token. */
export async function signIn(origin: TestOrigin, tenant: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const response = await send(origin, 'POST', `/v1/${tenant}/sessions`, { body: { email, password } });
  if (response.status !== 201) throw new Error(`sign-in of ${email} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** Records every key and write the cache store sees until `stop()`. */
export function watchStore(origin: TestOrigin) {
  const store = origin.services.cache;
  const keys: string[] = [];
  const writes: string[] = [];
  const names = ['get', 'getMany', 'set', 'setMany', 'setIfAbsent', 'delete', 'addToSet', 'removeFromSet', 'setMembers', 'expire'] as const;
  const spies = names.map((name) => {
    const original = store[name].bind(store) as (...args: unknown[]) => unknown;
    return vi.spyOn(store, name).mockImplementation(((...args: unknown[]) => {
      const flat = args.flat(2).flatMap((arg) => (typeof arg === 'string' ? [arg] : arg && typeof arg === 'object' && 'key' in arg ? [String(arg.key)] : []));
      keys.push(...flat);
      if (!['get', 'getMany', 'setMembers'].includes(name)) writes.push(`${name} ${flat[0] ?? ''}`);
      return original(...args);
    }) as never);
  });
  return { keys, writes, stop: () => spies.forEach((spy) => spy.mockRestore()) };
}

/** Counts the rows of the sessions table and the users' last change, to prove nothing was written. */
export async function databaseState(origin: TestOrigin) {
  const [sessions] = await origin.services.db.query<{ n: number | string }>('SELECT count(*)::int AS n FROM sessions');
  const users = await origin.services.db.query<{ id: string; name: string; updated_at: Date | string; password_hash: string }>(
    'SELECT id, name, updated_at, password_hash FROM users ORDER BY id',
  );
  return { sessions: Number(sessions?.n), users: users.map((u) => [u.id, u.name, new Date(u.updated_at).toISOString(), u.password_hash]) };
}
