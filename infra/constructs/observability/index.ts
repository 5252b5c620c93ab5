import { Duration, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  TextWidget,
  TreatMissingData,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { databaseAlarms, type WatchedDatabase } from './database.ts';
import * as d from './defaults.ts';
import { cacheMetric, hitRatio } from './metrics.ts';
import { redisAlarms, type WatchedCacheGroup } from './redis.ts';

export type { WatchedCacheGroup } from './redis.ts';
export type { WatchedDatabase } from './database.ts';

/** A Lambda function to watch, with its timeout (the duration alarm is a share of it). */
export interface WatchedFunction {
  readonly label: string;
  readonly function: IFunction;
  readonly timeout: Duration;
}

/** Props of {@link StrataObservability}. */
export interface StrataObservabilityProps {
  /** Prefix of the dashboard and alarm names, e.g. `strata-dev`. */
  readonly namePrefix: string;
  /** Value of the origin's EMF `service` dimension (its `POWERTOOLS_SERVICE_NAME`). */
  readonly serviceName: string;
  readonly cacheGroups: readonly WatchedCacheGroup[];
  /** Aurora and its RDS Proxy. @default not watched */
  readonly database?: WatchedDatabase;
  /** The API's stage (its cache and 5XX metrics). */
  readonly apiStage: Stage;
  readonly functions: readonly WatchedFunction[];
  /** @default session 0.95, config 0.90, user 0.85, api 0.70 */
  readonly hitRatioTargets?: Readonly<Partial<Record<d.DataType, number>>>;
  /** @default DEFAULT_THRESHOLDS */
  readonly thresholds?: Partial<d.AlarmThresholds>;
  /** Subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
}

/**
 * The CloudWatch dashboard and its alarms: origin hit ratio per data type against the design's
 * targets, Redis per shard (`redis.ts`), Aurora and RDS Proxy (`database.ts`), API Gateway cache
 * hits and misses and 5XX, Lambda errors, throttles and duration. Every alarm notifies one
 * encrypted SNS topic.
 */
export class StrataObservability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: StrataObservabilityProps) {
    super(scope, id);
    const t: d.AlarmThresholds = { ...d.DEFAULT_THRESHOLDS, ...props.thresholds };
    const targets = props.hitRatioTargets ?? d.HIT_RATIO_TARGETS;
    for (const [type, target] of Object.entries(targets)) {
      if (!(d.DATA_TYPES as readonly string[]).includes(type))
        throw new Error(`StrataObservability: unknown data type ${JSON.stringify(type)} in hitRatioTargets`);
      if (!(target! > 0 && target! <= 1)) throw new Error(`StrataObservability: hit ratio target of ${type} must be in (0, 1], got ${target}`);
    }
    if (props.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.alarmEmail)) {
      throw new Error(`StrataObservability: alarmEmail is not an e-mail address: ${JSON.stringify(props.alarmEmail)}`);
    }

    // CloudWatch can publish to an encrypted topic only with a customer key that lets it in.
    const key = new Key(this, 'TopicKey', { enableKeyRotation: true, description: `Alarm topic of ${props.namePrefix}` });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new Topic(this, 'Alarms', { topicName: `${props.namePrefix}-alarms`, masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const alarm = (name: string, metric: IMetric, threshold: number, above: boolean, description: string, periods = d.EVALUATION_PERIODS) => {
      const created = new Alarm(this, `Alarm-${name}`, {
        alarmName: `${props.namePrefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: above ? ComparisonOperator.GREATER_THAN_THRESHOLD : ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      created.addOkAction(new SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };

    const widgets: IWidget[][] = [
      [
        new TextWidget({
          markdown: [
            `## ${props.namePrefix}`,
            `Origin hit ratio: namespace \`${d.METRIC_NAMESPACE}\`, dimensions \`${d.SERVICE_DIMENSION}=${props.serviceName}\`, \`${d.DATA_TYPE_DIMENSION}\`;`,
            `ratio = (${d.SERVED_METRICS.join(' + ')}) / all reads. Periods under ${t.minReadsForHitRatio} reads count as 1.`,
          ].join('\n'),
          width: 24,
          height: 2,
        }),
      ],
    ];

    // Layer 3: the origin's hit ratio per data type, against the design's targets.
    const ratioWidgets: IWidget[] = [];
    for (const type of d.DATA_TYPES) {
      const ratio = hitRatio(props.serviceName, type, t.minReadsForHitRatio);
      const target = targets[type];
      if (target !== undefined) {
        alarm(`hit-ratio-${type}`, ratio, target, false, `Origin ${type} hit ratio below the target ${target} for 15 minutes`);
      }
      ratioWidgets.push(
        new GraphWidget({
          title: `${type} hit ratio${target === undefined ? '' : ` (target ${target})`}`,
          left: [ratio],
          right: [cacheMetric(props.serviceName, 'CacheMiss', type), cacheMetric(props.serviceName, 'CacheBypass', type)],
          leftYAxis: { min: 0, max: 1 },
          leftAnnotations: target === undefined ? [] : [{ value: target, label: 'target' }],
          width: 8,
        }),
      );
    }
    widgets.push(ratioWidgets);

    widgets.push(...redisAlarms(alarm, props.cacheGroups, t));
    if (props.database) widgets.push(databaseAlarms(alarm, props.database, t));

    // Layer 2: API Gateway's stage cache and errors.
    const stage = props.apiStage;
    const hits = stage.metricCacheHitCount({ period: d.PERIOD, statistic: 'Sum' });
    const misses = stage.metricCacheMissCount({ period: d.PERIOD, statistic: 'Sum' });
    const apiRatio = new MathExpression({
      expression: `IF((h + m) >= ${t.minRequestsForApiRatio}, h / (h + m), 1)`,
      usingMetrics: { h: hits, m: misses },
      label: 'stage cache hit ratio',
      period: d.PERIOD,
    });
    const serverErrors = stage.metricServerError({ period: d.PERIOD, statistic: 'Sum' });
    alarm('api-cache-hit-ratio', apiRatio, t.apiCacheHitRatio, false, `API Gateway stage cache hit ratio below ${t.apiCacheHitRatio}`);
    alarm('api-5xx', serverErrors, t.api5xx, true, `API Gateway answered more than ${t.api5xx} 5XX in 5 minutes`);
    widgets.push([
      new GraphWidget({ title: 'API Gateway cache hits / misses', left: [hits, misses], right: [apiRatio], rightYAxis: { min: 0, max: 1 }, width: 12 }),
      new GraphWidget({ title: 'API Gateway 5XX', left: [serverErrors], width: 12 }),
    ]);

    // Lambda: errors and throttles as shares of invocations, and p99 duration against the timeout.
    const lambdaWidgets: IWidget[] = [];
    for (const { label, function: fn, timeout } of props.functions) {
      const errors = fn.metricErrors({ period: d.PERIOD, statistic: 'Sum' });
      const invocations = fn.metricInvocations({ period: d.PERIOD, statistic: 'Sum' });
      const errorRate = new MathExpression({
        expression: 'IF(i > 0, e / i, 0)',
        usingMetrics: { e: errors, i: invocations },
        label: `${label} error rate`,
        period: d.PERIOD,
      });
      const throttles = fn.metricThrottles({ period: d.PERIOD, statistic: 'Sum' });
      const throttleRate = new MathExpression({
        expression: 'IF(i + r > 0, r / (i + r), 0)',
        usingMetrics: { r: throttles, i: invocations },
        label: `${label} throttle rate`,
        period: d.PERIOD,
      });
      const p99 = fn.metricDuration({ period: d.PERIOD, statistic: 'p99' });
      const durationLimit = Math.round(timeout.toMilliseconds() * t.lambdaDurationShareOfTimeout);
      alarm(`${label}-errors`, errorRate, t.lambdaErrorRate, true, `${label} Lambda error rate above ${t.lambdaErrorRate * 100}%`);
      alarm(
        `${label}-throttles`,
        throttleRate,
        t.lambdaThrottleRate,
        true,
        `${label} Lambda: more than ${t.lambdaThrottleRate * 100}% of invocations throttled (concurrency limit)`,
      );
      alarm(
        `${label}-duration`,
        p99,
        durationLimit,
        true,
        `${label} Lambda p99 duration above ${durationLimit} ms (${t.lambdaDurationShareOfTimeout * 100}% of its timeout)`,
      );
      lambdaWidgets.push(
        new GraphWidget({ title: `${label}: invocations, errors, throttles`, left: [invocations, errors, throttles], width: 12 }),
        new GraphWidget({
          title: `${label}: duration`,
          left: [fn.metricDuration({ period: d.PERIOD, statistic: 'p50' }), p99],
          leftAnnotations: [{ value: durationLimit, label: 'alarm' }],
          width: 12,
        }),
      );
    }
    widgets.push(lambdaWidgets);
    widgets.push([new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 })]);

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.namePrefix, widgets, defaultInterval: Duration.hours(6) });
  }
}
