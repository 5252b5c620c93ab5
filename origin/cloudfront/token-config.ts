/**
 * Configuration of the edge-token Lambda (`origin/edge-token-lambda.ts`), parsed once from its
 * environment; a bad value stops it with a message naming the variable.
 */
import { z } from 'zod';

const EnvSchema = z.object({
  EDGE_TOKEN_SECRET_ID: z.string().trim().min(1, 'required: name or ARN of the edge token secret'),
  CLOUDFRONT_DISTRIBUTION_ID: z
    .string()
    .trim()
    .regex(/^[A-Z0-9]{1,64}$/, 'required: the distribution that sends the token'),
  // The authorizer's secret cache (5 min) and API Gateway's answer cache (5 min).
  EDGE_TOKEN_SETTLE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
});

/** Everything the edge-token Lambda needs. */
export interface EdgeTokenConfig {
  secretId: string;
  distributionId: string;
  settleMs: number;
}

/** Reads the configuration from `env`; throws a readable error on bad values. */
export function loadEdgeTokenConfig(env: Record<string, string | undefined> = process.env): EdgeTokenConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid edge-token configuration: ${problems}`);
  }
  const e = parsed.data;
  return { secretId: e.EDGE_TOKEN_SECRET_ID, distributionId: e.CLOUDFRONT_DISTRIBUTION_ID, settleMs: e.EDGE_TOKEN_SETTLE_SECONDS * 1000 };
}
