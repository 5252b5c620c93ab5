/** Defaults of {@link EdgeWebAcl}. */

/**
 * The Worker's per-address limit (`RATE_LIMIT_IP_PER_MINUTE`, 600 a minute on `/v1/…`), as
 * AWS WAF counts it: requests per client IP in a sliding 60-second window, evaluated about every
 * ten seconds, so a burst can pass the limit briefly before the block starts.
 */
export const DEFAULT_REQUESTS_PER_MINUTE = 600;
/** AWS WAF's bounds for a rate-based rule's limit. */
export const MIN_RATE_LIMIT = 10;
export const MAX_RATE_LIMIT = 2_000_000_000;

/** The managed rule group and the rule of it that would refuse bodies the API accepts. */
export const COMMON_RULE_SET = 'AWSManagedRulesCommonRuleSet';
/** Blocks bodies over 8 KB; the origin reads up to 16 KiB and answers 413 past that itself. */
export const BODY_SIZE_RULE = 'SizeRestrictions_BODY';

/** The 429 body, in Strata's error shape. WAF cannot insert the request id: CloudFront's is `x-amz-cf-id`. */
export const RATE_LIMITED_BODY = JSON.stringify({
  error: { code: 'rate_limited', message: 'too many requests from this address; retry after the Retry-After seconds', requestId: '' },
});
