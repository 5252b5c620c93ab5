/**
 * The API Gateway REQUEST authorizer that lets only the edge reach the API: a request passes when
 * its `x-strata-edge-token` equals one of the accepted tokens (the secret's current value, or its
 * previous one while a rotation is under way). API Gateway runs it before the stage cache lookup
 * and caches the answer per token, so the policy covers the whole stage, not one method.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The header the edge sends its credential in (edge/upstream/forward.ts sets it). */
export const EDGE_TOKEN_HEADER = 'x-strata-edge-token';

/** The principal an allowed request runs as, in API Gateway's access logs and `$context`. */
export const EDGE_PRINCIPAL = 'strata-edge';

/** What the check reads of API Gateway's REQUEST authorizer event. */
export interface AuthorizerRequestEvent {
  readonly type?: string;
  /** `arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<verb>/<path>` */
  readonly methodArn: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
}

/** The IAM policy API Gateway enforces (and caches for the token). */
export interface AuthorizerResult {
  principalId: string;
  policyDocument: {
    Version: '2012-10-17';
    Statement: { Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string }[];
  };
}

/** Where the accepted tokens come from (Secrets Manager when deployed: `secret-tokens.ts`). */
export interface EdgeTokenSource {
  /** The tokens a request may present; never empty strings. */
  accepted(): Promise<readonly string[]>;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * True when `presented` equals one of `accepted`. Digests first, so every comparison is between
 * equal lengths and takes the same time whatever the input; every token is compared, no early exit.
 */
export function matchesAny(presented: string, accepted: readonly string[]): boolean {
  const candidate = digest(presented);
  let match = false;
  for (const token of accepted) match = timingSafeEqual(candidate, digest(token)) || match;
  return match && presented.length > 0;
}

/** The stage's every method and path: API Gateway reuses a cached answer for any of them. */
export function stageResource(methodArn: string): string {
  const [api, stage] = methodArn.split('/');
  if (!api?.startsWith('arn:') || !stage) throw new Error(`authorizer: unexpected methodArn ${JSON.stringify(methodArn)}`);
  return `${api}/${stage}/*`;
}

function headerOf(event: AuthorizerRequestEvent, name: string): string | undefined {
  // API Gateway passes headers with the client's spelling.
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Builds the authorizer over `tokens`; it allows or denies, and throws only when no token is known. */
export function edgeTokenAuthorizer(tokens: EdgeTokenSource) {
  return async function authorize(event: AuthorizerRequestEvent): Promise<AuthorizerResult> {
    const resource = stageResource(event.methodArn);
    const presented = headerOf(event, EDGE_TOKEN_HEADER) ?? '';
    // No token: nothing to compare, so no secret read.
    const allowed = presented !== '' && matchesAny(presented, await tokens.accepted());
    return {
      principalId: EDGE_PRINCIPAL,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: allowed ? 'Allow' : 'Deny', Resource: resource }] },
    };
  };
}
