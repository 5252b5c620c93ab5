/** TenantUsagePlans: one plan per tier, one API key per tenant. */
import { Period } from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OriginApi } from '../../infra/constructs/origin-api/index.ts';
import { TenantUsagePlans, type TenantUsagePlansProps } from '../../infra/constructs/tenant-usage-plans/index.ts';
import { constructStack, inlineFunction, resources } from './support.ts';

function build(props: Partial<TenantUsagePlansProps> = {}) {
  const { stack } = constructStack();
  const api = new OriginApi(stack, 'Api', { handler: inlineFunction(stack), stageName: 'test' });
  const plans = new TenantUsagePlans(stack, 'Plans', {
    api: api.api,
    stage: api.stage,
    namePrefix: 'strata-test',
    tenants: [{ tenant: 'acme' }, { tenant: 'globex', plan: 'premium' }],
    ...props,
  });
  return { plans, stack, template: Template.fromStack(stack) };
}

describe('TenantUsagePlans', () => {
  it('creates the standard and premium plans on the stage, with throttles and monthly quotas', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: 'strata-test-standard',
      Throttle: { RateLimit: 50, BurstLimit: 100 },
      Quota: { Limit: 1_000_000, Period: 'MONTH' },
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'strata-test-premium', Throttle: { RateLimit: 200, BurstLimit: 400 } });
    for (const [, plan] of resources(template, 'AWS::ApiGateway::UsagePlan')) expect(plan.ApiStages).toHaveLength(1);
  });

  it('gives every tenant its own key on its plan', () => {
    const { template, stack, plans } = build();
    template.hasResourceProperties('AWS::ApiGateway::ApiKey', { Name: 'strata-test-acme', Enabled: true });
    template.hasResourceProperties('AWS::ApiGateway::ApiKey', { Name: 'strata-test-globex', Enabled: true });
    const keyOf = (tenant: string) => stack.getLogicalId(plans.apiKeys[tenant]!.node.defaultChild as never);
    const planOf = (name: string) => stack.getLogicalId(plans.plans[name]!.node.defaultChild as never);
    const links = resources(template, 'AWS::ApiGateway::UsagePlanKey').map(([, p]) => [p.KeyId.Ref, p.UsagePlanId.Ref]);
    expect(links.sort()).toEqual(
      [
        [keyOf('acme'), planOf('standard')],
        [keyOf('globex'), planOf('premium')],
      ].sort(),
    );
  });

  it('takes custom plans', () => {
    const { template } = build({
      plans: { gold: { rateLimit: 5, burstLimit: 5, quota: { limit: 10, period: Period.DAY } } },
      tenants: [{ tenant: 'acme', plan: 'gold' }],
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'strata-test-gold', Quota: { Limit: 10, Period: 'DAY' } });
  });

  it.each([
    [{ tenants: [{ tenant: 'Acme!' }] }, /"Acme!" is not a tenant id/],
    [{ tenants: [{ tenant: 'acme' }, { tenant: 'acme' }] }, /tenant acme is listed twice/],
    [{ tenants: [{ tenant: 'acme', plan: 'gold' }] }, /tenant acme is on plan "gold", which is not one of standard, premium/],
    [{ plans: { x: { rateLimit: 1, burstLimit: 0, quota: { limit: 1, period: Period.DAY } } }, tenants: [] }, /plan x needs rateLimit > 0/],
  ])('refuses %o', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
