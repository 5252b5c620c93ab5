/**
 * Forwarding to the origin. Headers that an intermediary could use to change what the origin
 * answers without changing the cache key (unkeyed inputs, the root of cache poisoning) are
 * removed, and so are hop-by-hop headers (RFC 9110 §7.6.1).
 */
import type { Env } from '../env.ts';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';

/** Hop-by-hop header names (RFC 9110 §7.6.1); never stored or forwarded. */
export const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

const UNKEYED = [
  'x-forwarded-host',
  'x-forwarded-server',
  'x-forwarded-scheme',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-host',
  'x-original-url',
  'x-original-host',
  'x-rewrite-url',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'forwarded',
];

const DEFAULT_TIMEOUT_MS = 10_000;

/** Copies `headers` without hop-by-hop headers, those named in `Connection`, and unkeyed inputs. */
export function forwardableHeaders(headers: Headers): Headers {
  const out = new Headers(headers);
  const named = (headers.get('connection') ?? '').split(',').map((name) => name.trim().toLowerCase());
  for (const name of [...HOP_BY_HOP, ...UNKEYED, ...named]) if (name) out.delete(name);
  return out;
}

/** Sends `request` to the origin; 502 when it cannot be reached, 504 when it is too slow. */
export async function fetchOrigin(request: Request, env: Env, requestId: string): Promise<Response> {
  const url = new URL(request.url);
  const target = `${env.ORIGIN_URL.replace(/\/+$/, '')}${url.pathname}${url.search}`;
  const headers = forwardableHeaders(request.headers);
  headers.set('x-request-id', requestId);
  const timeoutMs = Number(env.ORIGIN_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  try {
    return await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : null,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new HttpError(504, ERROR_CODES.originUnavailable, `origin did not answer within ${timeoutMs} ms`, { cause: error });
    }
    throw new HttpError(502, ERROR_CODES.originUnavailable, 'origin unreachable', { cause: error });
  }
}
