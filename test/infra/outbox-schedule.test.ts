/**
 * OutboxSchedule takes any function; it is tested here with the origin function as the target
 * (the stage wires it to the deliverer, `origin/outbox-lambda.ts`: test/infra/stacks.test.ts).
 */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { OriginFunction } from '../../infra/constructs/origin-function/index.ts';
import { OutboxSchedule, type OutboxScheduleProps } from '../../infra/constructs/outbox-schedule/index.ts';
import { constructStack, resources } from './support.ts';

function build(props: Partial<OutboxScheduleProps> = {}) {
  const { stack } = constructStack();
  const origin = new OriginFunction(stack, 'Origin', { entry: 'origin/lambda.ts', environment: {} });
  new OutboxSchedule(stack, 'Schedule', { target: origin.function, ...props });
  return { origin, stack, template: Template.fromStack(stack) };
}

describe('OutboxSchedule', () => {
  it('invokes the target every minute with a deliver-pending event, without retries', () => {
    const { template, stack, origin } = build();
    const functionId = stack.getLogicalId(origin.function.node.defaultChild as never);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          Id: 'Target0',
          Input: JSON.stringify({ source: 'strata.outbox', action: 'deliver-pending' }),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        },
      ],
    });
    const [[, permission]] = resources(template, 'AWS::Lambda::Permission') as [[string, Record<string, unknown>]];
    expect(permission).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
    });
  });

  it('takes another schedule, payload and state', () => {
    build({ schedule: Schedule.rate(Duration.minutes(5)), event: { action: 'x' }, enabled: false }).template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'DISABLED',
      Targets: [Match.objectLike({ Input: '{"action":"x"}' })],
    });
  });

  it('refuses retry and age limits EventBridge does not accept', () => {
    expect(() => build({ retryAttempts: 200 })).toThrow(/retryAttempts must be an integer from 0 to 185, got 200/);
    expect(() => build({ maxEventAge: Duration.seconds(30) })).toThrow(/maxEventAge must be 1 minute to 24 hours, got 30 s/);
  });
});
