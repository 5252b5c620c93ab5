/**
 * `strata purge`: a purge webhook signed exactly as the origin's outbox signs it
 * (`common/purge.ts`: HMAC-SHA256 over id, timestamp and body), sent to the edge's
 * `/_strata/purge`; prints what the edge acknowledged. Everything is checked before anything is
 * sent: selectors against the webhook's own rules, tenants against the origin when it is known.
 */
import { randomUUID } from 'node:crypto';
import { isTenantId } from '../../common/ids.ts';
import { PURGE_PATH, parsePurgeMessage, signedPurgeHeaders, type PurgeMessage } from '../../common/purge.ts';
import type { CommandContext } from '../context.ts';
import { CliError, shownUrl, usage } from '../errors.ts';
import { errorOf, operatorCall, send } from '../http.ts';
import { ENV, needEdge, operatorEndpoint, type Target } from '../target.ts';

/** The options of `strata purge`. */
export interface PurgeOptions {
  tag?: string[];
  tenant?: string[];
  url?: string[];
  prefix?: string[];
  everything?: boolean;
  yes?: boolean;
}

/** What the edge answers a purge with (`edge/purge/handler.ts`). */
interface PurgeAnswer {
  status: 'purged' | 'duplicate';
  id: string;
  versionsBumped?: number;
  cacheDeleted?: number;
  zoneRequests?: number;
}

function tenantOfPath(path: string): string | undefined {
  return /^\/v1\/([^/]+)\//.exec(path)?.[1];
}

/** The message the options describe, validated as the edge will validate it. */
export function purgeMessage(options: PurgeOptions, edgeUrl: string, id: string): PurgeMessage {
  const selectors = ['tag', 'tenant', 'url', 'prefix'] as const;
  if (!options.everything && selectors.every((name) => (options[name]?.length ?? 0) === 0)) {
    throw usage('purge needs --tag, --tenant, --url, --prefix or --everything');
  }
  if (options.everything && !options.yes) throw usage('--everything drops every response the edge holds; add --yes to confirm');
  // A URL may be given as a path of the edge (`/v1/acme/public/projects`).
  const urls = (options.url ?? []).map((url) => {
    if (url.startsWith('/')) return `${edgeUrl}${url}`;
    if (!URL.canParse(url)) throw usage(`--url ${JSON.stringify(url.slice(0, 200))}: not a URL (give http(s)://host/path or a path starting with /)`);
    return url;
  });
  for (const tenant of options.tenant ?? [])
    if (!isTenantId(tenant)) throw usage(`--tenant ${JSON.stringify(tenant)}: not a tenant id (lowercase letters, digits, dashes)`);
  const message: PurgeMessage = {
    id,
    ...(options.tag?.length ? { tags: options.tag } : {}),
    ...(options.tenant?.length ? { tenants: options.tenant } : {}),
    ...(urls.length ? { urls } : {}),
    ...(options.prefix?.length ? { prefixes: options.prefix } : {}),
    ...(options.everything ? { everything: true } : {}),
  };
  const parsed = parsePurgeMessage(message);
  if (!parsed.ok) {
    const flag = { tags: '--tag', tenants: '--tenant', urls: '--url', prefixes: '--prefix' } as Record<string, string>;
    const [field = '', ...rest] = parsed.error.split(': ');
    const [list, index] = field.split('.');
    const shown = flag[list!] ? `${flag[list!]}${index === undefined ? '' : ` #${Number(index) + 1}`}` : field;
    throw usage(`${shown}: ${rest.join(': ')}`);
  }
  return parsed.message;
}

/** Tenants the message names, in tenants, prefixes and URLs. */
function tenantsOf(message: PurgeMessage): string[] {
  const named = new Set(message.tenants ?? []);
  for (const prefix of message.prefixes ?? []) named.add(tenantOfPath(prefix)!);
  for (const url of message.urls ?? []) {
    const tenant = tenantOfPath(new URL(url).pathname);
    if (tenant) named.add(tenant);
  }
  return [...named];
}

/** Refuses tenants the origin does not know, when the origin can be asked. */
async function checkTenants(target: Target, tenants: readonly string[]): Promise<boolean> {
  const endpoint = operatorEndpoint(target);
  if (tenants.length === 0 || !endpoint) return false;
  for (const tenant of tenants) {
    try {
      await operatorCall(endpoint, `/ops/tenants/${tenant}`);
    } catch (error) {
      if (error instanceof CliError && /does not exist/.test(error.message)) throw new CliError(`unknown tenant ${JSON.stringify(tenant)}: nothing was purged`);
      throw error;
    }
  }
  return true;
}

function describe(message: PurgeMessage): string {
  const parts = [
    ...(message.tags ?? []).map((tag) => `tag ${tag}`),
    ...(message.tenants ?? []).map((tenant) => `tenant ${tenant}`),
    ...(message.prefixes ?? []).map((prefix) => `prefix ${prefix}`),
    ...(message.urls ?? []).map((url) => `url ${url}`),
    ...(message.everything ? ['everything'] : []),
  ];
  return parts.join(', ');
}

/** Runs `strata purge`. */
export async function purge(context: CommandContext, options: PurgeOptions): Promise<void> {
  const target = await context.target();
  const edgeUrl = needEdge(target, 'purge');
  const id = `cli-${randomUUID()}`;
  const message = purgeMessage(options, edgeUrl, id);
  if (!target.purgeSecret) throw usage(`purge needs the purge secret (the edge's PURGE_SECRET): ${ENV.purgeSecret} or --purge-secret`);
  const tenantsChecked = await checkTenants(target, tenantsOf(message));

  const body = JSON.stringify(message);
  const headers = { 'content-type': 'application/json', ...(await signedPurgeHeaders(target.purgeSecret, id, body)) };
  const response = await send('edge', `${edgeUrl}${PURGE_PATH}`, { method: 'POST', headers, body });
  if (!response.ok) {
    const { message: reason } = await errorOf(response);
    if (response.status === 401)
      throw new CliError(`the edge at ${shownUrl(edgeUrl)} refused the signature (${reason}): is the purge secret the edge's PURGE_SECRET?`);
    throw new CliError(`the edge at ${shownUrl(edgeUrl)} did not purge (${response.status}): ${reason}`);
  }
  const answer = (await response.json()) as PurgeAnswer;
  if (context.json) {
    context.io.out(`${JSON.stringify({ edge: shownUrl(edgeUrl), sent: message, tenantsChecked, acknowledged: answer })}\n`);
    return;
  }
  const c = context.io.colors;
  const what = describe(message);
  if (answer.status === 'duplicate') {
    context.io.out(`${c.yellow('already purged')} ${what} (id ${answer.id}): the edge had seen this id\n`);
    return;
  }
  const details = [
    `versions bumped ${answer.versionsBumped ?? 0}`,
    `local copies deleted ${answer.cacheDeleted ?? 0}`,
    ...(answer.zoneRequests ? [`zone purge requests ${answer.zoneRequests}`] : []),
  ];
  context.io.out(`${c.green('purged')} ${what} at ${shownUrl(edgeUrl)} (id ${answer.id}): ${details.join(', ')}\n`);
}
