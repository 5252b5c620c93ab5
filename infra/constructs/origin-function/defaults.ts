/** Defaults of {@link OriginFunction}. */
import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export const DEFAULT_HANDLER = 'handler';
/** Memory buys CPU on Lambda; 1 GiB keeps JSON and TLS work off the latency path. */
export const DEFAULT_MEMORY_MB = 1024;
/** Below API Gateway's 29 s integration limit, above a slow PostgreSQL fallback. */
export const DEFAULT_TIMEOUT = Duration.seconds(10);
export const DEFAULT_LOG_RETENTION = RetentionDays.ONE_MONTH;
/** Name of the alias created for provisioned concurrency. */
export const LIVE_ALIAS = 'live';
