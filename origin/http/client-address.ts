/**
 * The client's address, one function for every entry point. Behind the edge the origin sees the
 * edge's egress address, so the edge passes `CF-Connecting-IP` on as `x-strata-client-ip` (it
 * strips any copy a client sent, and API Gateway refuses requests without the edge's token);
 * otherwise the socket's peer (Node) or API Gateway's `sourceIp` (Lambda).
 */
import { getConnInfo as nodeConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { getConnInfo as lambdaConnInfo } from 'hono/aws-lambda';
import ipaddr from 'ipaddr.js';

/** The header the edge sets to the client's address. */
export const CLIENT_IP_HEADER = 'x-strata-client-ip';

/** The raw client address of the request, or `undefined` when no adapter knows one (in-process tests). */
export function clientAddress(c: Context): string | undefined {
  const forwarded = c.req.header(CLIENT_IP_HEADER)?.trim();
  if (forwarded && ipaddr.isValid(forwarded)) return forwarded;
  const env = c.env as { incoming?: unknown; requestContext?: unknown } | undefined;
  if (env?.incoming) return nodeConnInfo(c).remote.address;
  if (env?.requestContext) return lambdaConnInfo(c).remote.address;
  return undefined;
}

/**
 * The address as one limit key: IPv4 as is (IPv4-mapped IPv6 too); IPv6 by its /64, since one
 * subscriber usually holds a whole /64 (RFC 6177 §2) and could otherwise rotate addresses.
 */
export function addressKey(address: string | undefined): string {
  if (!address || !ipaddr.isValid(address)) return 'unknown';
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}
