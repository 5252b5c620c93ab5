/**
 * The origin's Hono app. It is built from ready services and knows nothing about how they were
 * made: the Node server and the Lambda handler both wrap this one app.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { BlankEnv } from 'hono/types';
import { requestId } from 'hono/request-id';
import { onError, onNotFound } from './http/errors.ts';
import { operatorRoutes } from './operator/index.ts';
import { projectApiRoutes } from './projects/api.ts';
import { publicProjectRoutes } from './projects/routes.ts';
import { requireSession } from './sessions/auth.ts';
import { requireAdmin } from './sessions/authorize.ts';
import { tenantConfigRoutes } from './tenant-config/api.ts';
import { sessionRoutes } from './sessions/routes.ts';
import { userRoutes } from './users/routes.ts';
import type { Services } from './services.ts';

/** Builds the HTTP app over the given services. */
export function createApp(services: Services): Hono {
  const app = new OpenAPIHono<BlankEnv>();
  app.use('*', requestId());
  app.onError(onError);
  app.notFound(onNotFound);

  app.get('/health', async (c) => {
    const health = await services.health();
    return c.json(health, health.ok ? 200 : 503, { 'cache-control': 'no-store' });
  });
  const { text, contentType } = services.metrics;
  if (text) {
    app.get('/metrics', async (c) => c.body(await text(), 200, { 'content-type': contentType ?? 'text/plain', 'cache-control': 'no-store' }));
  }
  // `strata stats|inspect|warm`; off (404) without OPERATOR_TOKEN or OPERATOR_TOKEN_SECRET_ARN.
  if (services.operatorToken) app.route('/', operatorRoutes(services, services.operatorToken));
  app.route('/', publicProjectRoutes(services.projects));
  app.route('/', sessionRoutes(services));
  app.route('/', userRoutes(services));
  const authenticate = requireSession(services.sessions);
  app.route('/', projectApiRoutes(services.projectCommands, authenticate));
  app.route('/', tenantConfigRoutes(services.tenantConfig, authenticate, requireAdmin(services.users)));
  // Generated from the schemas of every OpenAPIHono router mounted above.
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'Strata origin API', version: '1' } });
  return app;
}
