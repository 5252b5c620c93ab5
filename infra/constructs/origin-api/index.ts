import { LambdaRestApi, MethodLoggingLevel } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Props of {@link OriginApi}. */
export interface OriginApiProps {
  readonly handler: IFunction;
  /** Stage name, e.g. `dev`. */
  readonly stageName: string;
  /** Steady-state requests per second across the stage. @default 500 */
  readonly throttlingRateLimit?: number;
  /** Burst capacity across the stage. @default 1000 */
  readonly throttlingBurstLimit?: number;
}

/** A REST API that proxies every route to the origin Lambda, with stage-wide throttling. */
export class OriginApi extends Construct {
  readonly api: LambdaRestApi;

  constructor(scope: Construct, id: string, props: OriginApiProps) {
    super(scope, id);
    this.api = new LambdaRestApi(this, 'Api', {
      handler: props.handler,
      proxy: true,
      description: 'Strata origin API',
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? 500,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 1000,
        loggingLevel: MethodLoggingLevel.OFF,
      },
    });
  }
}
