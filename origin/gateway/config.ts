/**
 * Configuration of the authorizer Lambda (`origin/authorizer-lambda.ts`), parsed once from its
 * environment; a bad value stops it with a message naming the variable. It is a function of its
 * own, so it reads none of the API's variables (`origin/config.ts`).
 */
import { z } from 'zod';

const EnvSchema = z.object({
  EDGE_TOKEN_SECRET_ID: z.string().trim().min(1, 'required: name or ARN of the edge token secret'),
  // API Gateway caches each answer for up to an hour; a few minutes bounds how long a rotated-out
  // token keeps working after its secret version is gone.
  EDGE_TOKEN_CACHE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
});

/** Everything the authorizer needs. */
export interface AuthorizerConfig {
  secretId: string;
  cacheSeconds: number;
}

/** Reads the authorizer's configuration from `env`; throws a readable error on bad values. */
export function loadAuthorizerConfig(env: Record<string, string | undefined> = process.env): AuthorizerConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid authorizer configuration: ${problems}`);
  }
  return { secretId: parsed.data.EDGE_TOKEN_SECRET_ID, cacheSeconds: parsed.data.EDGE_TOKEN_CACHE_SECONDS };
}
