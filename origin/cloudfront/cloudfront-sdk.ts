/**
 * The AWS SDK clients of the CloudFront purge path, in a module of their own so they are loaded
 * with `import()` on first use (`purge-target.ts`, `distribution-id.ts`): bundled, this module and what only it needs
 * (410 KiB of `@aws-sdk/client-cloudfront` and `@aws-sdk/client-ssm`) are a chunk the origin
 * function does not load at init, and deployments whose edge is Cloudflare never load it.
 */
export { CloudFrontClient, CreateInvalidationCommand, NoSuchDistribution } from '@aws-sdk/client-cloudfront';
export { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
