import { Duration } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';

/** Props of {@link OriginFunction}. */
export interface OriginFunctionProps {
  /** Path of the Lambda entry file (`origin/lambda.ts`). */
  readonly entry: string;
  /** Environment of the function (database and Redis locations). */
  readonly environment: Record<string, string>;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
}

/**
 * The origin API as one Lambda function: Node 24 on arm64, bundled with esbuild as ESM so the
 * handler's top-level `await` builds its clients once per instance.
 */
export class OriginFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: OriginFunctionProps) {
    super(scope, id);
    this.function = new NodejsFunction(this, 'Handler', {
      entry: props.entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      loggingFormat: LoggingFormat.JSON,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        // CommonJS dependencies (ioredis, pg) call require(); ESM output needs it defined.
        banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        // PGlite is the local database only; pg-native is an optional binding pg never needs here.
        externalModules: ['@electric-sql/pglite', 'pg-native'],
      },
    });
  }
}
