/**
 * The Secrets Manager rotation function of the edge token under `-c edge=cloudfront` (the
 * four-step protocol of Secrets Manager's rotation templates). `createSecret` stores a new random
 * value as `AWSPENDING`; `finishSecret` makes it `AWSCURRENT`, which leaves the old value as
 * `AWSPREVIOUS`, still accepted by the authorizer. `setSecret` changes nothing: CloudFront starts
 * sending the new value only once the authorizer has read it (`token-sync.ts`, on a schedule).
 * A rotation starts only when CloudFront already sends the current value, so no second rotation
 * can push out the value CloudFront still sends.
 */
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { distributionSendsCurrent, type TokenSyncOptions } from './token-sync.ts';

/** The event Secrets Manager invokes a rotation function with. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
}

/** True when `event` is a Secrets Manager rotation step. */
export function isRotationEvent(event: unknown): event is RotationEvent {
  const e = event as Partial<RotationEvent> | null;
  return (
    typeof e?.SecretId === 'string' &&
    typeof e.ClientRequestToken === 'string' &&
    ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].includes(e.Step as string)
  );
}

/** Same alphabet and length as the token the data stack generates: header-safe letters and digits. */
const TOKEN = { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false } as const;

/** Runs one step of a rotation of `event.SecretId`. */
export async function rotationStep(options: Omit<TokenSyncOptions, 'settleMs' | 'now' | 'secretId'>, event: RotationEvent): Promise<void> {
  const { secrets } = options;
  const { SecretId, ClientRequestToken: token, Step } = event;
  const described = await secrets.send(new DescribeSecretCommand({ SecretId }));
  const stages = described.VersionIdsToStages?.[token];
  if (!stages) throw new Error(`version ${token} of ${SecretId} is not staged for rotation`);
  // A step Secrets Manager retries after it already finished.
  if (stages.includes('AWSCURRENT')) return;
  if (!stages.includes('AWSPENDING')) throw new Error(`version ${token} of ${SecretId} is not AWSPENDING`);

  if (Step === 'createSecret') {
    try {
      await secrets.send(new GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }));
      return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (!(await distributionSendsCurrent({ ...options, secretId: SecretId }))) {
      throw new Error(`CloudFront does not send the current value of ${SecretId} yet (a switch is under way); rotate again once it does`);
    }
    const { RandomPassword } = await secrets.send(new GetRandomPasswordCommand(TOKEN));
    await secrets.send(new PutSecretValueCommand({ SecretId, ClientRequestToken: token, SecretString: RandomPassword, VersionStages: ['AWSPENDING'] }));
    return;
  }
  if (Step === 'finishSecret') {
    const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
    await secrets.send(
      new UpdateSecretVersionStageCommand({
        SecretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token,
        ...(current ? { RemoveFromVersionId: current } : {}),
      }),
    );
  }
  // setSecret, testSecret: nothing to set or test before the authorizer knows the value.
}
