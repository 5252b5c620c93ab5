/**
 * Requests to the stack, with failures turned into one readable line: which part (edge, origin)
 * at which address (credentials stripped), and what went wrong — refused, timed out, or the
 * stack's own `{ error: { code, message } }`.
 */
import { CliError, shownUrl } from './errors.ts';
import { ENV, type OperatorEndpoint } from './target.ts';

/** The header API Gateway's authorizer checks (origin/gateway/edge-token.ts). */
export const EDGE_TOKEN_HEADER = 'x-strata-edge-token';

/** How long one request may take. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** A JSON error body of any Strata layer. */
interface ErrorBody {
  error?: { code?: string; message?: string };
}

function cause(error: unknown): string {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if ((error as Error).name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return code ?? (error as { cause?: Error }).cause?.message ?? (error as Error).message;
}

/** Sends a request; a network failure becomes a `CliError` naming `part` and the address. */
export async function send(part: string, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new CliError(`cannot reach the ${part} at ${shownUrl(url)}: ${cause(error)}`);
  }
}

/** The stack's error message of a non-2xx `response`, for one line. */
export async function errorOf(response: Response): Promise<{ code: string | undefined; message: string }> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as ErrorBody;
    return { code: body.error?.code, message: body.error?.message ?? `HTTP ${response.status}` };
  } catch {
    return { code: undefined, message: `HTTP ${response.status}${text ? `: ${text.slice(0, 120)}` : ''}` };
  }
}

/** The headers of every operator API request: the operator token, and the edge token when given. */
export function operatorHeaders(endpoint: OperatorEndpoint, withBody: boolean): Record<string, string> {
  return {
    authorization: `Bearer ${endpoint.token}`,
    ...(endpoint.edgeToken ? { [EDGE_TOKEN_HEADER]: endpoint.edgeToken } : {}),
    ...(withBody ? { 'content-type': 'application/json' } : {}),
  };
}

/** An operator API call: JSON in and out, with the token; errors explained. */
export async function operatorCall<T>(endpoint: OperatorEndpoint, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const { originUrl } = endpoint;
  const url = `${originUrl}${path}`;
  const response = await send('origin', url, {
    method: init.method ?? 'GET',
    headers: operatorHeaders(endpoint, init.body !== undefined),
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (response.ok) return (await response.json()) as T;
  // The origin's refusal names its realm; API Gateway's authorizer answers 401 (no edge token)
  // or 403 (another one) with a body of its own, before the origin sees the request.
  const fromOrigin = /strata-operator/.test(response.headers.get('www-authenticate') ?? '');
  const { code, message } = await errorOf(response);
  if ((response.status === 401 || response.status === 403) && !fromOrigin && code === undefined) {
    const why = endpoint.edgeToken ? 'refused the edge token' : `wants the edge token (${ENV.edgeToken} or --edge-token)`;
    throw new CliError(
      `the API gateway in front of the origin at ${shownUrl(originUrl)} ${why}: HTTP ${response.status}; read it from strata/<stage>/edge-origin-token`,
    );
  }
  if (response.status === 401) throw new CliError(`the origin at ${shownUrl(originUrl)} refused the operator token (check ${ENV.operatorToken})`);
  if (response.status === 404 && code === 'not_found' && message.startsWith('no route')) {
    throw new CliError(`the origin at ${shownUrl(originUrl)} has no operator API: set OPERATOR_TOKEN on it`);
  }
  throw new CliError(`origin: ${message}`, response.status === 400 ? 2 : 1);
}
