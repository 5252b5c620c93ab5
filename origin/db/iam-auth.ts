/**
 * IAM sign-in to RDS Proxy: instead of a stored password, each new connection presents a
 * 15-minute token signed with the Lambda role's credentials (no network call: it is a
 * presigned URL). The proxy requires TLS for it.
 */
import { Signer } from '@aws-sdk/rds-signer';

/** A password function for node-postgres that returns a fresh IAM token for `url`'s user and host. */
export function iamPassword(url: string, region: string | undefined): () => Promise<string> {
  const parsed = new URL(url);
  if (!parsed.username) throw new Error('DATABASE_URL must name the database user when DATABASE_IAM_AUTH=true');
  const signer = new Signer({
    hostname: parsed.hostname,
    port: Number(parsed.port || 5432),
    username: decodeURIComponent(parsed.username),
    ...(region ? { region } : {}),
  });
  return () => signer.getAuthToken();
}
