/**
 * AWS Lambda entry point (API Gateway proxy integration). Services are built once per Lambda
 * instance, at module scope, and reused by every invocation that instance serves.
 */
import { handle } from 'hono/aws-lambda';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { buildServices } from './services.ts';

const services = await buildServices(loadConfig());

/** The Lambda handler. */
export const handler = handle(createApp(services));
