/** Defaults of {@link TenantUsagePlans}. */
import { Period } from 'aws-cdk-lib/aws-apigateway';
import type { UsagePlanSettings } from './index.ts';

/** Two tiers; a tenant is on `standard` unless assigned another. */
export const DEFAULT_PLANS: Readonly<Record<string, UsagePlanSettings>> = {
  standard: { rateLimit: 50, burstLimit: 100, quota: { limit: 1_000_000, period: Period.MONTH } },
  premium: { rateLimit: 200, burstLimit: 400, quota: { limit: 10_000_000, period: Period.MONTH } },
};
export const DEFAULT_PLAN = 'standard';
