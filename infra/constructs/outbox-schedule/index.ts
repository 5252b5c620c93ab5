import type { Duration } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, type Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import * as d from './defaults.ts';

/** Props of {@link OutboxSchedule}. */
export interface OutboxScheduleProps {
  /** The function that delivers pending purge records; any function that understands `event`. */
  readonly target: IFunction;
  /** @default every minute */
  readonly schedule?: Schedule;
  /** Payload of each invocation. @default { source: 'strata.outbox', action: 'deliver-pending' } */
  readonly event?: Record<string, unknown>;
  /** @default true */
  readonly enabled?: boolean;
  /** @default 0 */
  readonly retryAttempts?: number;
  /** @default one minute */
  readonly maxEventAge?: Duration;
}

/**
 * An EventBridge schedule that invokes the purge-outbox deliverer, so purges that failed right
 * after their commit are redelivered until the edge acknowledges them (at-least-once).
 */
export class OutboxSchedule extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: OutboxScheduleProps) {
    super(scope, id);
    const retryAttempts = props.retryAttempts ?? d.DEFAULT_RETRY_ATTEMPTS;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 185) {
      throw new Error(`OutboxSchedule: retryAttempts must be an integer from 0 to 185, got ${retryAttempts}`);
    }
    const maxEventAge = props.maxEventAge ?? d.DEFAULT_MAX_EVENT_AGE;
    const ageSeconds = maxEventAge.toSeconds();
    if (ageSeconds < 60 || ageSeconds > 86_400) throw new Error(`OutboxSchedule: maxEventAge must be 1 minute to 24 hours, got ${ageSeconds} s`);
    this.rule = new Rule(this, 'Rule', {
      description: 'Redeliver pending Strata purge webhooks',
      schedule: props.schedule ?? d.DEFAULT_SCHEDULE,
      enabled: props.enabled ?? true,
      targets: [new LambdaFunction(props.target, { event: RuleTargetInput.fromObject(props.event ?? d.DEFAULT_EVENT), retryAttempts, maxEventAge })],
    });
  }
}
