/**
 * AWS Lambda entry point (API Gateway proxy integration). Services are built once per Lambda
 * instance, at module scope, and reused by every invocation that instance serves.
 */
// First: stack traces are mapped to the sources from here on (without --enable-source-maps).
import './stack-traces.ts';
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { logger } from './log.ts';
import { composeServices, emfOutlet, tallyOutlet } from './compose.ts';

const config = loadConfig();
// On Lambda the configuration always asks for EMF; the bundle run elsewhere (its tests) only counts.
const metrics = config.metrics.kind === 'emf' ? emfOutlet(config.metrics.serviceName) : tallyOutlet();
const services = await composeServices(config, metrics);
const handleRequest = handle(createApp(services));

// How long an invocation waits for the purge delivery its write started; the schedule retries the rest.
const PURGE_WAIT_MS = 2000;

/** The Lambda handler; cache metrics are published as EMF when each invocation ends. */
export async function handler(event: LambdaEvent, context: LambdaContext) {
  logger.addContext(context as unknown as Parameters<typeof logger.addContext>[0]);
  try {
    return await handleRequest(event, context);
  } finally {
    await services.outbox.idle(PURGE_WAIT_MS);
    services.metrics.flush();
  }
}
