/**
 * Session tokens: 256 random bits plus the user id, base64url. Only a SHA-256 of the token (the
 * session id) is ever stored, so a Redis or database dump yields no usable token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isResourceId } from '../../common/ids.ts';

const SECRET_BYTES = 32;
const USER_BYTES = 16;

/** A token and what it identifies. */
export interface IssuedToken {
  token: string;
  userId: string;
  sid: string;
}

/** The session id stored for `token`: hex SHA-256. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Issues a token for `userId` (a UUID). */
export function issueToken(userId: string): IssuedToken {
  if (!isResourceId(userId)) throw new TypeError('user id must be a lowercase UUID');
  const bytes = Buffer.concat([Buffer.from(userId.replaceAll('-', ''), 'hex'), randomBytes(SECRET_BYTES)]);
  const token = bytes.toString('base64url');
  return { token, userId, sid: sessionIdOf(token) };
}

/** The user id and session id in `token`, or `undefined` when it is not one of ours. */
export function readToken(token: string): { userId: string; sid: string } | undefined {
  if (!/^[A-Za-z0-9_-]{64}$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== USER_BYTES + SECRET_BYTES) return undefined;
  const hex = bytes.subarray(0, USER_BYTES).toString('hex');
  const userId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return isResourceId(userId) ? { userId, sid: sessionIdOf(token) } : undefined;
}
