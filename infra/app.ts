/**
 * The CDK app (`cdk.json` runs it). One stage per synth, chosen and tuned by context:
 *   cdk synth -c stage=production -c tenants=acme,globex:premium -c alarmEmail=ops@example.com
 * The cdk-nag AwsSolutions pack checks every resource; an unacknowledged finding fails the synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig, type StrataContext } from './stages.ts';
import { addStrata } from './strata.ts';

const app = new App();
const context = (name: keyof StrataContext) => app.node.tryGetContext(name) as string | undefined;
const config = stageConfig({
  stage: context('stage'),
  region: context('region') ?? process.env.CDK_DEFAULT_REGION,
  account: context('account') ?? process.env.CDK_DEFAULT_ACCOUNT,
  tenants: context('tenants'),
  azs: context('azs'),
  alarmEmail: context('alarmEmail'),
  edge: context('edge'),
});
addStrata(app, config);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
