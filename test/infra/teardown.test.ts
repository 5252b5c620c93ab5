/**
 * Teardown: `cdk destroy` removes a dev stage whole (nothing protected, retained or left as a
 * snapshot but API Gateway's account-wide logging role); production keeps its protection, its
 * final snapshots and the keys and logs those need.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/stages.ts';
import { strataStage } from './support.ts';

/** `Type DeletionPolicy` of every resource of both stacks that outlives a stack deletion. */
function kept(stage: string): string[] {
  const { data, origin } = strataStage({ stage });
  return [data, origin].flatMap((stack) =>
    Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>)
      .filter((resource) => resource.DeletionPolicy !== undefined && resource.DeletionPolicy !== 'Delete')
      .map((resource) => `${resource.Type} ${resource.DeletionPolicy}`),
  );
}

function cluster(stage: string) {
  const { data } = strataStage({ stage });
  return Object.values(Template.fromStack(data).findResources('AWS::RDS::DBCluster'))[0] as {
    DeletionPolicy: string;
    Properties: { DeletionProtection: boolean };
  };
}

describe('teardown', () => {
  it.each(['dev', 'alice'])('lets cdk destroy remove the %s stage whole', (stage) => {
    // API Gateway's CloudWatch role is one per account and region, shared by every stage.
    expect(kept(stage).sort()).toEqual(['AWS::ApiGateway::Account Retain', 'AWS::IAM::Role Retain']);
    expect(cluster(stage).Properties.DeletionProtection).toBe(false);
    const { data, origin } = strataStage({ stage });
    expect([data.terminationProtection, origin.terminationProtection]).toEqual([false, false]);
  });

  it('keeps production: deletion and termination protection, final snapshots, and the keys and logs they need', () => {
    const resources = kept('production');
    const count = (entry: string) => resources.filter((r) => r === entry).length;
    expect(cluster('production')).toMatchObject({ DeletionPolicy: 'Snapshot', Properties: { DeletionProtection: true } });
    expect(count('AWS::ElastiCache::ReplicationGroup Snapshot')).toBe(2);
    // The snapshots are encrypted with these keys: deleting one would make its snapshot useless.
    expect(count('AWS::KMS::Key Retain')).toBe(4);
    expect(resources.filter((r) => r.startsWith('AWS::Logs::LogGroup')).every((r) => r.endsWith('Retain'))).toBe(true);
    expect(count('AWS::Logs::LogGroup Retain')).toBeGreaterThanOrEqual(6);
    const { data, origin } = strataStage({ stage: 'production' });
    expect([data.terminationProtection, origin.terminationProtection]).toEqual([true, true]);
  });

  it('protects staging’s data too, so only dev and personal stages can be destroyed with their data', () => {
    expect(stageConfig({ stage: 'staging' }).teardown).toBe('protect');
    expect(cluster('staging')).toMatchObject({ DeletionPolicy: 'Snapshot', Properties: { DeletionProtection: true } });
  });
});
