import { ApiKey, UsagePlan, type Period, type RestApi, type Stage } from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { isTenantId } from '../../../common/ids.ts';
import { DEFAULT_PLAN, DEFAULT_PLANS } from './defaults.ts';

/** Limits of one usage plan, applied per API key. */
export interface UsagePlanSettings {
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly quota: { readonly limit: number; readonly period: Period };
}

/** A tenant and the plan its API key belongs to. */
export interface TenantAssignment {
  readonly tenant: string;
  /** @default standard */
  readonly plan?: string;
}

/** Props of {@link TenantUsagePlans}. */
export interface TenantUsagePlansProps {
  readonly api: RestApi;
  readonly stage: Stage;
  /** Name prefix of plans and keys, e.g. `strata-dev`. */
  readonly namePrefix: string;
  readonly tenants: readonly TenantAssignment[];
  /** @default standard (50 rps, 1M/month) and premium (200 rps, 10M/month) */
  readonly plans?: Readonly<Record<string, UsagePlanSettings>>;
}

/**
 * One usage plan per tier and one API key per tenant. Keys meter and throttle a tenant's calls
 * (`x-api-key`); they are not authorisation, which the origin does per request.
 */
export class TenantUsagePlans extends Construct {
  readonly plans: Readonly<Record<string, UsagePlan>>;
  readonly apiKeys: Readonly<Record<string, ApiKey>>;

  constructor(scope: Construct, id: string, props: TenantUsagePlansProps) {
    super(scope, id);
    const settings = props.plans ?? DEFAULT_PLANS;
    const seen = new Set<string>();
    for (const { tenant, plan = DEFAULT_PLAN } of props.tenants) {
      if (!isTenantId(tenant)) throw new Error(`TenantUsagePlans: ${JSON.stringify(tenant)} is not a tenant id ([a-z0-9][a-z0-9-]{0,62})`);
      if (seen.has(tenant)) throw new Error(`TenantUsagePlans: tenant ${tenant} is listed twice`);
      if (!settings[plan])
        throw new Error(`TenantUsagePlans: tenant ${tenant} is on plan ${JSON.stringify(plan)}, which is not one of ${Object.keys(settings).join(', ')}`);
      seen.add(tenant);
    }
    for (const [name, plan] of Object.entries(settings)) {
      if (!(plan.rateLimit > 0) || !Number.isInteger(plan.burstLimit) || plan.burstLimit < 1 || !Number.isInteger(plan.quota.limit) || plan.quota.limit < 1) {
        throw new Error(`TenantUsagePlans: plan ${name} needs rateLimit > 0 and positive integer burstLimit and quota.limit`);
      }
    }

    const plans: Record<string, UsagePlan> = {};
    for (const [name, plan] of Object.entries(settings)) {
      plans[name] = new UsagePlan(this, `Plan-${name}`, {
        name: `${props.namePrefix}-${name}`,
        description: `Strata tenants on the ${name} plan`,
        throttle: { rateLimit: plan.rateLimit, burstLimit: plan.burstLimit },
        quota: { limit: plan.quota.limit, period: plan.quota.period },
        apiStages: [{ api: props.api, stage: props.stage }],
      });
    }
    const apiKeys: Record<string, ApiKey> = {};
    for (const { tenant, plan = DEFAULT_PLAN } of props.tenants) {
      apiKeys[tenant] = new ApiKey(this, `Key-${tenant}`, {
        apiKeyName: `${props.namePrefix}-${tenant}`,
        description: `API key of tenant ${tenant}`,
        enabled: true,
      });
      plans[plan]!.addApiKey(apiKeys[tenant]);
    }
    this.plans = plans;
    this.apiKeys = apiKeys;
  }
}
