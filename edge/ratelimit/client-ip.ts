/**
 * Who the per-IP limit counts. Cloudflare sets `CF-Connecting-IP` to the address that connected
 * to it and replaces any value a client sent, so the header is trusted as it is.
 *
 * The origin parses addresses with ipaddr.js (`origin/http/client-address.ts`); the Worker does
 * not: it would add 3.9 KiB gzip to a bundle held under 64 KiB (63.1 KiB today,
 * `test/infra/edge-bundle.test.ts`), for the one thing needed here, an IPv6 address's /64.
 */

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const IPV6_GROUP = /^[0-9a-f]{1,4}$/;

/** The eight groups of an IPv6 address, or `undefined` when `text` is not one. */
function ipv6Groups(text: string): string[] | undefined {
  const halves = text.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves[1] ? halves[1].split(':') : [];
  const zeros = 8 - left.length - right.length;
  if (halves.length === 1 ? zeros !== 0 : zeros < 1) return undefined;
  const groups = [...left, ...new Array<string>(halves.length === 2 ? zeros : 0).fill('0'), ...right];
  return groups.every((group) => IPV6_GROUP.test(group)) ? groups : undefined;
}

/**
 * The per-IP limit's identifier for a request: an IPv4 address as it is; for IPv6 the /64
 * network, because one subscriber usually holds a whole /64 (RFC 6177 §2) and could otherwise
 * rotate addresses inside it. `undefined` without a usable header: no IP limit applies.
 */
export function clientAddressKey(headers: Headers): string | undefined {
  const ip = headers.get('cf-connecting-ip')?.trim();
  if (!ip) return undefined;
  const mapped = /^::ffff:((?:\d{1,3}\.){3}\d{1,3})$/i.exec(ip)?.[1];
  if (mapped) return mapped;
  if (IPV4.test(ip)) return ip;
  const groups = ipv6Groups(ip);
  return groups
    ? `${groups
        .slice(0, 4)
        .map((group) => group.replace(/^0+(?=.)/, ''))
        .join(':')}::/64`
    : undefined;
}
