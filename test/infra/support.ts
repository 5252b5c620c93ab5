/**
 * Helpers for the infra tests: fresh apps (bundling off unless a test needs the real Lambda
 * bundle), a small VPC for construct tests, the composed stage, and cdk-nag's findings.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { stageConfig, type StrataConfig, type StrataContext } from '../../infra/stages.ts';
import { addStrata, type StrataStacks } from '../../infra/strata.ts';

/** An app writing to a fresh folder; Lambda bundling is skipped unless `bundle` is set. */
export function freshApp(bundle = false): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), 'strata-cdk-')),
    context: bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
  });
}

/** A stack with a two-AZ VPC (app and data subnets), for construct tests. */
export function constructStack(): { app: App; stack: Stack; vpc: Vpc } {
  const app = freshApp();
  const stack = new Stack(app, 'Test', { env: { region: 'eu-west-1' } });
  const vpc = new Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: SubnetType.PUBLIC },
      { name: 'app', subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'data', subnetType: SubnetType.PRIVATE_ISOLATED },
    ],
  });
  return { app, stack, vpc };
}

/** A small inline function, for constructs that take any `IFunction`. */
export function inlineFunction(stack: Stack, id = 'Fn'): LambdaFunction {
  return new LambdaFunction(stack, id, { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({})') });
}

/** A whole stage, as `infra/app.ts` builds it. */
export function strataStage(context: StrataContext = {}, overrides: Partial<StrataConfig> = {}, app = freshApp()): StrataStacks & { app: App } {
  const config = { ...stageConfig({ stage: 'dev', ...context }), ...overrides };
  return { app, ...addStrata(app, config) };
}

/** The resources of `type` in a template, as `[logicalId, properties]`. */
export function resources(template: Template, type: string): [string, Record<string, any>][] {
  return Object.entries(template.findResources(type)).map(([id, resource]) => [id, (resource as { Properties?: Record<string, any> }).Properties ?? {}]);
}

/** cdk-nag AwsSolutions findings that no acknowledgement covers, as `rule at path` lines. */
export function nagFindings(app: App): string[] {
  app.synth({ validateOnSynthesis: false, force: true });
  const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}: ${violation.description}`),
  );
}

/** Every acknowledgement (suppression) recorded in the tree, with its reason. */
export function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}
