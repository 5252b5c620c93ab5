/**
 * Member routes of the fake origin, for the edge's tenant quota, answering as the real origin
 * does: `POST /v1/{tenant}/sessions` signs in with the demo password (201 `{ token }`, else
 * 401) and sends no session header; `GET /v1/{tenant}/me` answers `Bearer member-{tenant}` with
 * 200 and `SESSION_TENANT_HEADER` naming the tenant, and anything else with 401.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SESSION_TENANT_HEADER } from '../../common/session-tenant.ts';

const SIGN_IN = /^\/v1\/([^/]+)\/sessions$/;
const ME = /^\/v1\/([^/]+)\/me$/;
const PASSWORD = 'correct horse battery staple';

function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'private, no-store', ...headers });
  response.end(JSON.stringify(body));
  return true;
}

const unauthorized = (code: string) => ({ error: { code, message: 'fake origin: not signed in', requestId: 'fake' } });

/** Answers the member routes; false for any other request. */
export async function memberRoute(request: IncomingMessage, response: ServerResponse, url: URL, body: () => Promise<string>): Promise<boolean> {
  const signIn = SIGN_IN.exec(url.pathname)?.[1];
  if (signIn && request.method === 'POST') {
    const { password } = JSON.parse((await body()) || '{}') as { password?: string };
    if (password !== PASSWORD) return answer(response, 401, unauthorized('invalid_credentials'));
    return answer(response, 201, { token: `member-${signIn}` });
  }
  const me = ME.exec(url.pathname)?.[1];
  if (me && request.method === 'GET') {
    if (request.headers.authorization !== `Bearer member-${me}`)
      return answer(response, 401, unauthorized('unauthorized'), { 'www-authenticate': 'Bearer realm="strata"' });
    return answer(response, 200, { tenant: me }, { [SESSION_TENANT_HEADER]: me });
  }
  return false;
}
