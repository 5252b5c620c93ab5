/**
 * Lambda entry of the API Gateway REQUEST authorizer (infra/constructs/edge-authorizer): only
 * requests carrying the edge's `x-strata-edge-token` reach the API. The Secrets Manager reads are
 * cached per Lambda instance.
 */
// First: stack traces are mapped to the sources from here on (without --enable-source-maps).
import './stack-traces.ts';
import { edgeTokenAuthorizer } from './gateway/edge-token.ts';
import { loadAuthorizerConfig } from './gateway/config.ts';
import { secretTokens } from './gateway/secret-tokens.ts';
import { log } from './log.ts';

const config = loadAuthorizerConfig();

/** The authorizer handler. */
export const handler = edgeTokenAuthorizer(secretTokens({ secretId: config.secretId, maxAgeSeconds: config.cacheSeconds, logger: log }));
