/** Defaults of {@link OutboxSchedule}. */
import { Duration } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';

/**
 * Every minute: the origin delivers right after each commit, so the schedule only sweeps up what
 * failed then (edge down, timeout); a minute bounds how long such a purge waits.
 */
export const DEFAULT_SCHEDULE = Schedule.rate(Duration.minutes(1));
/** The event the deliverer receives; it tells a sweep from an API request. */
export const DEFAULT_EVENT = { source: 'strata.outbox', action: 'deliver-pending' } as const;
/** A sweep that could not start is not retried: the next one runs a minute later anyway. */
export const DEFAULT_RETRY_ATTEMPTS = 0;
export const DEFAULT_MAX_EVENT_AGE = Duration.minutes(1);
