import { Duration } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Trigger } from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { OriginFunction } from '../origin-function/index.ts';

/** Props of {@link DatabaseMigrator}. */
export interface DatabaseMigratorProps {
  /** Entry file of the migrator (`origin/migrate-lambda.ts`, handler `handler`). */
  readonly entry: string;
  readonly vpc: IVpc;
  readonly vpcSubnets: SubnetSelection;
  /** The one security group the cluster admits the owner from. */
  readonly securityGroup: ISecurityGroup;
  /** `postgres://<owner>@<writer>/<db>?sslmode=require`. */
  readonly ownerUrl: string;
  /** The owner's credentials (RDS's JSON secret, `password` field), rotated. */
  readonly ownerSecret: ISecret;
  /** The role the application signs in as; the migrator creates it and grants its rights. */
  readonly appRole: string;
  /** Extra environment (the service name of its logs). */
  readonly environment?: Record<string, string>;
  /** @default 5 minutes */
  readonly timeout?: Duration;
}

/**
 * Runs migrations as the database owner, once per deploy that changes the migrator (its code
 * is the origin's, so every code change), through a CloudFormation trigger: a failed migration
 * fails the deploy. Call `runBefore` with the functions that sign in as the app role, so new
 * code meets its schema. It is the only holder of the owner's password.
 */
export class DatabaseMigrator extends Construct {
  readonly function: OriginFunction;
  readonly trigger: Trigger;

  constructor(scope: Construct, id: string, props: DatabaseMigratorProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(5);
    this.function = new OriginFunction(this, 'Function', {
      entry: props.entry,
      description: 'Strata database migrator (owner)',
      timeout,
      // No reserved concurrency: new accounts have little to reserve from, and migrate.ts
      // serialises runs with an advisory lock anyway.
      environment: {
        DATABASE_URL: props.ownerUrl,
        DATABASE_PASSWORD_SECRET_ARN: props.ownerSecret.secretArn,
        DATABASE_APP_ROLE: props.appRole,
        // The writer's certificate is signed by the Amazon RDS CAs, which Node does not load by
        // default on Lambda; the runtime ships them in this file (the proxy's are public ones).
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        ...props.environment,
      },
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [props.securityGroup],
    });
    this.function.function.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.ownerSecret.secretArn] }));
    this.trigger = new Trigger(this, 'Run', { handler: this.function.function, timeout, executeOnHandlerChange: true });
  }

  /** Runs the migrator before `scopes` are created or updated. */
  runBefore(...scopes: Construct[]): void {
    this.trigger.executeBefore(...scopes);
  }
}
