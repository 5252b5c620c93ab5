import { Stack, Validations } from 'aws-cdk-lib';
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Props of {@link CacheEvents}. */
export interface CacheEventsProps {
  /** e.g. `strata-dev-cache-events`. */
  readonly topicName: string;
  /** @default no e-mail subscription */
  readonly email?: string;
}

/**
 * The SNS topic ElastiCache publishes its events to (failovers, node replacements, maintenance,
 * snapshots failing): set as `NotificationTopicArn` on both replication groups. ElastiCache
 * cannot publish to an encrypted topic (it marks the topic inactive), and its publish is
 * allowed by `AWS:SourceOwner`, not `aws:SourceAccount`, which it does not send; the messages
 * carry event names and group ids only.
 */
export class CacheEvents extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: CacheEventsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { topicName: props.topicName, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ElastiCachePublish',
        principals: [new AnyPrincipal()],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'AWS:SourceOwner': Stack.of(this).account } },
      }),
    );
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'ElastiCache cannot publish event notifications to an encrypted topic; the events name groups and event types, no data',
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }
}
