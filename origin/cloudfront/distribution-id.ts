/**
 * The id of the CloudFront distribution purges go to: given as is (`CLOUDFRONT_DISTRIBUTION_ID`),
 * or read at run time from an SSM parameter the edge stack writes
 * (`CLOUDFRONT_DISTRIBUTION_ID_PARAMETER`). The origin stack is deployed before the distribution
 * exists and the distribution's origin is the origin's API, so the id cannot be in the origin's
 * environment without a dependency cycle; until the parameter exists, purges wait in the outbox.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';

/** Where the distribution id comes from. */
export type DistributionIdSource = { readonly distributionId: string } | { readonly parameterName: string };

/** Reads the id once and keeps it; `forget()` makes the next read ask SSM again. */
export class DistributionId {
  readonly #source: DistributionIdSource;
  #ssm: SSMClient | undefined;
  #known: string | undefined;

  /** `ssm`: the client to read the parameter with. @default one for the function's region, made on the first read */
  constructor(source: DistributionIdSource, ssm?: SSMClient) {
    this.#source = source;
    this.#ssm = ssm;
  }

  /** The distribution id; throws when the parameter cannot be read (yet). */
  async get(): Promise<string> {
    if ('distributionId' in this.#source) return this.#source.distributionId;
    if (this.#known) return this.#known;
    // The SDK loads on first use (`cloudfront-sdk.ts`): a given id never needs it.
    const { GetParameterCommand, SSMClient } = await import('./cloudfront-sdk.ts');
    this.#ssm ??= new SSMClient({});
    const { Parameter } = await this.#ssm.send(new GetParameterCommand({ Name: this.#source.parameterName }));
    const value = Parameter?.Value?.trim();
    if (!value) throw new Error(`SSM parameter ${this.#source.parameterName} holds no distribution id`);
    this.#known = value;
    return value;
  }

  /** Drops the id read (CloudFront said no such distribution: the stack replaced it). */
  forget(): void {
    this.#known = undefined;
  }
}
