/**
 * The purge webhook contract between the origin's outbox (sender) and the edge (receiver):
 * the message, its validation, and its signature (docs/edge.md, "Purges"). WebCrypto only, so
 * the same code runs in Node and in workerd.
 *
 * Signature: `v1=` + hex HMAC-SHA256(secret, `${id}.${timestamp}.${rawBody}`), timestamp in unix
 * seconds, accepted within PURGE_WINDOW_SECONDS either way. Binding the id and the timestamp
 * into the MAC means neither can be swapped to replay a body; the receiver de-duplicates ids.
 */
import { fromHex, hex } from './hex.ts';
import { TENANT_ID_PATTERN } from './ids.ts';

/** Where the edge receives purges. */
export const PURGE_PATH = '/_strata/purge';

/** Request headers of a signed purge. */
export const PURGE_HEADERS = {
  id: 'x-strata-purge-id',
  timestamp: 'x-strata-purge-timestamp',
  signature: 'x-strata-purge-signature',
} as const;

/** How far a purge's timestamp may be from the receiver's clock, either way. */
export const PURGE_WINDOW_SECONDS = 300;

/** The largest purge body the edge reads. */
export const PURGE_MAX_BODY_BYTES = 64 * 1024;

/** Most selectors of each kind one message may carry; the sender splits larger purges. */
export const PURGE_LIMITS = { urls: 100, tags: 500, tenants: 50, prefixes: 100 } as const;

/** Deepest prefix, in path segments below `/v1/{tenant}`; the edge keeps versions down to it. */
export const PURGE_PREFIX_MAX_SEGMENTS = 16;

/** Purge ids: the sender's outbox row id, reused on every redelivery. */
export const PURGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Purge tags, as the origin emits them (same grammar as common/keys.ts). */
export const PURGE_TAG_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,127}$/;

// `/v1/{tenant}/` then unreserved or percent-encoded path segments; no query, fragment or glob.
const PREFIX_SEGMENT = /^[A-Za-z0-9._~%-]+$/;

function isPrefix(value: string): boolean {
  const match = /^\/v1\/([^/]+)\/(.*)$/.exec(value);
  if (!match || !TENANT_ID_PATTERN.test(match[1]!)) return false;
  const rest = match[2]!.endsWith('/') ? match[2]!.slice(0, -1) : match[2]!;
  if (rest === '') return true;
  const segments = rest.split('/');
  return segments.length <= PURGE_PREFIX_MAX_SEGMENTS && segments.every((s) => PREFIX_SEGMENT.test(s) && s !== '.' && s !== '..');
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.hash === '';
}

/** The purge message: at least one selector; `everything` drops every stored response. */
export interface PurgeMessage {
  id: string;
  urls?: string[];
  tags?: string[];
  tenants?: string[];
  prefixes?: string[];
  everything?: boolean;
}

type Selector = 'urls' | 'tags' | 'tenants' | 'prefixes';

// Each list: its most items, and what every item must be. Checked by hand, not by a schema
// library: the edge ships this code, and a few fields do not justify a validator's bytes.
const SELECTORS: Record<Selector, { valid: (item: string) => boolean; rule: string }> = {
  urls: { valid: (v) => v.length <= 2048 && isHttpUrl(v), rule: 'must be an absolute http(s) URL without credentials or fragment' },
  tags: { valid: (v) => PURGE_TAG_PATTERN.test(v), rule: `must match ${PURGE_TAG_PATTERN}` },
  tenants: { valid: (v) => TENANT_ID_PATTERN.test(v), rule: `must match ${TENANT_ID_PATTERN}` },
  prefixes: { valid: (v) => v.length <= 1024 && isPrefix(v), rule: 'must be /v1/<tenant>/ followed by plain path segments' },
};
const FIELDS = new Set(['id', 'everything', ...Object.keys(SELECTORS)]);

/** Validates a parsed JSON body; the error names the first offending field (`tags.1: …`). */
export function parsePurgeMessage(value: unknown): { ok: true; message: PurgeMessage } | { ok: false; error: string } {
  const fail = (path: string, rule: string) => ({ ok: false as const, error: `${path}: ${rule}` });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('body', 'must be a JSON object');
  const body = value as Record<string, unknown>;
  const unknown = Object.keys(body).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) return fail(unknown, 'unknown field');
  if (typeof body.id !== 'string' || !PURGE_ID_PATTERN.test(body.id)) return fail('id', `must match ${PURGE_ID_PATTERN}`);
  const message: PurgeMessage = { id: body.id };
  for (const [name, { valid, rule }] of Object.entries(SELECTORS) as [Selector, (typeof SELECTORS)[Selector]][]) {
    const list = body[name];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return fail(name, 'must be a list');
    if (list.length > PURGE_LIMITS[name]) return fail(name, `at most ${PURGE_LIMITS[name]} items`);
    const bad = list.findIndex((item) => typeof item !== 'string' || !valid(item));
    if (bad >= 0) return fail(`${name}.${bad}`, rule);
    message[name] = list as string[];
  }
  if (body.everything !== undefined && typeof body.everything !== 'boolean') return fail('everything', 'must be true or false');
  if (body.everything !== undefined) message.everything = body.everything;
  if (message.everything !== true && !Object.keys(SELECTORS).some((name) => (message[name as Selector]?.length ?? 0) > 0)) {
    return fail('body', 'a purge names at least one url, tag, tenant or prefix, or everything');
  }
  return { ok: true, message };
}

/** Why a purge request's signature was refused. */
export type PurgeRejection = 'missing_headers' | 'malformed_id' | 'malformed_timestamp' | 'malformed_signature' | 'stale' | 'future' | 'bad_signature';

/** The outcome of `verifyPurge`. */
export type PurgeVerification = { ok: true; id: string; timestamp: number } | { ok: false; reason: PurgeRejection };

/** Anything with `get(name)`, such as Fetch `Headers`. */
export interface HeaderSource {
  get(name: string): string | null;
}

const encoder = new TextEncoder();
const SIGNATURE_ENTRY = /^v1=([0-9a-f]{64})$/;
const TIMESTAMP = /^[0-9]{1,12}$/;

function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

function signedBytes(id: string, timestamp: number, rawBody: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(`${id}.${timestamp}.`);
  const body = bytesOf(rawBody);
  const data = new Uint8Array(head.length + body.length);
  data.set(head);
  data.set(body, head.length);
  return data;
}

function hmacKey(secret: string, usage: 'sign' | 'verify') {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/** The `x-strata-purge-signature` value (`v1=<hex>`) of a purge. */
export async function signPurge(secret: string, id: string, timestamp: number, rawBody: string | Uint8Array): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), signedBytes(id, timestamp, rawBody));
  return `v1=${hex(mac)}`;
}

/** The three headers of a signed purge of `rawBody`, stamped `timestamp` (default: now). */
export async function signedPurgeHeaders(
  secret: string,
  id: string,
  rawBody: string | Uint8Array,
  timestamp = Math.floor(Date.now() / 1000),
): Promise<Record<string, string>> {
  return {
    [PURGE_HEADERS.id]: id,
    [PURGE_HEADERS.timestamp]: String(timestamp),
    [PURGE_HEADERS.signature]: await signPurge(secret, id, timestamp, rawBody),
  };
}

/**
 * Checks a purge's headers and signature against `rawBody`, the exact bytes received. The
 * signature header may list several comma-separated `v1=` values (a sender mid key rotation);
 * one must match. Each comparison is `crypto.subtle.verify`, which runs in constant time.
 */
export async function verifyPurge(
  secret: string,
  headers: HeaderSource,
  rawBody: string | Uint8Array,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<PurgeVerification> {
  const id = headers.get(PURGE_HEADERS.id);
  const stamp = headers.get(PURGE_HEADERS.timestamp);
  const signature = headers.get(PURGE_HEADERS.signature);
  if (id === null || stamp === null || signature === null) return { ok: false, reason: 'missing_headers' };
  if (!PURGE_ID_PATTERN.test(id)) return { ok: false, reason: 'malformed_id' };
  if (!TIMESTAMP.test(stamp)) return { ok: false, reason: 'malformed_timestamp' };
  const entries = signature.split(',').map((entry) => SIGNATURE_ENTRY.exec(entry.trim())?.[1]);
  if (entries.length > 4 || entries.some((entry) => entry === undefined)) return { ok: false, reason: 'malformed_signature' };

  const timestamp = Number(stamp);
  if (nowSeconds - timestamp > PURGE_WINDOW_SECONDS) return { ok: false, reason: 'stale' };
  if (timestamp - nowSeconds > PURGE_WINDOW_SECONDS) return { ok: false, reason: 'future' };

  const key = await hmacKey(secret, 'verify');
  const data = signedBytes(id, timestamp, rawBody);
  for (const entry of entries) {
    if (await crypto.subtle.verify('HMAC', key, fromHex(entry!), data)) return { ok: true, id, timestamp };
  }
  return { ok: false, reason: 'bad_signature' };
}
