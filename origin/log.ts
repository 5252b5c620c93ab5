/**
 * Structured JSON logs through Powertools' Logger: one line per entry with level, time, service
 * and, on Lambda, the invocation's request id and cold-start flag (`log.addContext`).
 */
import { Logger } from '@aws-lambda-powertools/logger';

type Fields = Record<string, unknown>;

/** The Powertools logger behind `log`; the Lambda handler adds the invocation context to it. */
export const logger = new Logger({ serviceName: process.env.METRICS_SERVICE_NAME ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'strata-origin' });

/** The origin's logger. */
export const log = {
  info: (msg: string, fields: Fields = {}) => logger.info(msg, fields),
  warn: (msg: string, fields: Fields = {}) => logger.warn(msg, fields),
  error: (msg: string, fields: Fields = {}) => logger.error(msg, fields),
};
