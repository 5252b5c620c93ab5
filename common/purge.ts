/**
 * The purge webhook contract between the origin's outbox (sender) and the edge (receiver):
 * the message, its validation, and its signature (docs/edge.md, "Purges"). WebCrypto only, so
 * the same code runs in Node and in workerd.
 *
 * Signature: `v1=` + hex HMAC-SHA256(secret, `${id}.${timestamp}.${rawBody}`), timestamp in unix
 * seconds, accepted within PURGE_WINDOW_SECONDS either way. Binding the id and the timestamp
 * into the MAC means neither can be swapped to replay a body; the receiver de-duplicates ids.
 */
import { z } from 'zod';
import { hex } from './hex.ts';
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
export const purgeMessageSchema = z
  .strictObject({
    id: z.string().regex(PURGE_ID_PATTERN),
    urls: z.array(z.string().max(2048).refine(isHttpUrl, 'must be an absolute http(s) URL without credentials or fragment')).max(PURGE_LIMITS.urls).optional(),
    tags: z.array(z.string().regex(PURGE_TAG_PATTERN)).max(PURGE_LIMITS.tags).optional(),
    tenants: z.array(z.string().regex(TENANT_ID_PATTERN)).max(PURGE_LIMITS.tenants).optional(),
    prefixes: z.array(z.string().max(1024).refine(isPrefix, 'must be /v1/<tenant>/ followed by plain path segments')).max(PURGE_LIMITS.prefixes).optional(),
    everything: z.boolean().optional(),
  })
  .refine((m) => m.everything === true || [m.urls, m.tags, m.tenants, m.prefixes].some((list) => (list?.length ?? 0) > 0), {
    message: 'a purge names at least one url, tag, tenant or prefix, or everything',
  });

/** A validated purge message. */
export type PurgeMessage = z.infer<typeof purgeMessageSchema>;

/** Validates a parsed JSON body; the error names the first offending field. */
export function parsePurgeMessage(value: unknown): { ok: true; message: PurgeMessage } | { ok: false; error: string } {
  const result = purgeMessageSchema.safeParse(value);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : 'body';
  return { ok: false, error: `${path}: ${issue?.message ?? 'invalid'}` };
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

function unhex(value: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(value.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The `x-strata-purge-signature` value (`v1=<hex>`) of a purge. */
export async function signPurge(secret: string, id: string, timestamp: number, rawBody: string | Uint8Array): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), signedBytes(id, timestamp, rawBody));
  return `v1=${hex(mac)}`;
}

/** The three headers of a signed purge of `rawBody`, stamped `timestamp` (default: now). */
export async function signedPurgeHeaders(secret: string, id: string, rawBody: string | Uint8Array, timestamp = Math.floor(Date.now() / 1000)): Promise<Record<string, string>> {
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
export async function verifyPurge(secret: string, headers: HeaderSource, rawBody: string | Uint8Array, nowSeconds = Math.floor(Date.now() / 1000)): Promise<PurgeVerification> {
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
    if (await crypto.subtle.verify('HMAC', key, unhex(entry!), data)) return { ok: true, id, timestamp };
  }
  return { ok: false, reason: 'bad_signature' };
}
