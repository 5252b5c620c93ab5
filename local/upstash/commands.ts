/**
 * Turns Upstash REST commands into what a stock `redis-server` accepts, and its replies into
 * Upstash's JSON (the protocol facts are in docs/local-stack.md). Used by `server.ts`.
 */
import { createHash } from 'node:crypto';

/** A command as Redis takes it: uppercase name, string arguments. */
export interface RedisCommand {
  name: string;
  args: string[];
}

/** Shebang flags stock Redis 7 knows; Upstash adds others (`allow-key-locking`) that it refuses. */
const REDIS_SCRIPT_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);

/** Commands that would block or change the state of the one connection every request shares. */
const REFUSED = new Set([
  'BLPOP',
  'BRPOP',
  'BLMOVE',
  'BRPOPLPUSH',
  'BLMPOP',
  'BZPOPMIN',
  'BZPOPMAX',
  'BZMPOP',
  'WAIT',
  'WAITAOF',
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'SSUBSCRIBE',
  'MONITOR',
  'MULTI',
  'EXEC',
  'DISCARD',
  'WATCH',
  'UNWATCH',
  'SELECT',
  'QUIT',
  'RESET',
]);

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** `script` with every shebang flag Redis does not know removed; other scripts unchanged. */
export function stripUnknownScriptFlags(script: string): string {
  const match = /^#!lua([^\n]*)/.exec(script);
  if (!match) return script;
  const options = match[1]!.trim().split(/\s+/).filter(Boolean);
  const kept = options.flatMap((option) => {
    if (!option.startsWith('flags=')) return [option];
    const flags = option
      .slice('flags='.length)
      .split(',')
      .filter((flag) => REDIS_SCRIPT_FLAGS.has(flag));
    return flags.length > 0 ? [`flags=${flags.join(',')}`] : [];
  });
  return `#!lua${kept.map((option) => ` ${option}`).join('')}${script.slice(match[0].length)}`;
}

/** A JSON argument as Redis sees it: strings as they are, numbers and booleans as their text. */
function redisArg(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Rewrites scripts and their hashes. Clients call `EVALSHA` with the SHA-1 of the text they
 * know, but Redis holds the flag-stripped text under another hash: `shas` maps one to the other.
 */
export class ScriptTranslator {
  readonly #shas = new Map<string, string>();

  #load(script: string): string {
    const stripped = stripUnknownScriptFlags(script);
    this.#shas.set(sha1(script), sha1(stripped));
    return stripped;
  }

  #sha(sha: string): string {
    return this.#shas.get(sha.toLowerCase()) ?? sha;
  }

  /** Parses one JSON command into a Redis command; throws with a Redis-style message when it cannot. */
  translate(json: unknown): RedisCommand {
    if (!Array.isArray(json) || json.length === 0) throw new Error('ERR command must be a non-empty JSON array');
    const [first, ...rest] = json.map(redisArg);
    const name = first!.toUpperCase();
    if (REFUSED.has(name)) throw new Error(`ERR ${name} is not supported by the local Upstash endpoint`);
    const args = [...rest];
    const sub = args[0]?.toUpperCase();
    if ((name === 'EVAL' || name === 'EVAL_RO') && args[0] !== undefined) args[0] = this.#load(args[0]);
    if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && args[0] !== undefined) args[0] = this.#sha(args[0]);
    if (name === 'SCRIPT' && sub === 'LOAD' && args[1] !== undefined) args[1] = this.#load(args[1]);
    if (name === 'SCRIPT' && sub === 'EXISTS') for (let i = 1; i < args.length; i++) args[i] = this.#sha(args[i]!);
    return { name, args };
  }

  /** Redis's reply to `command`, as the client expects it (`SCRIPT LOAD` answers the client's hash). */
  reply(command: RedisCommand, original: unknown, reply: unknown): unknown {
    if (command.name === 'SCRIPT' && command.args[0]?.toUpperCase() === 'LOAD' && Array.isArray(original)) {
      return Buffer.from(sha1(redisArg(original[2])));
    }
    return reply;
  }
}

/**
 * A RESP2 reply as Upstash JSON: with `base64`, every bulk and status string is base64 of its
 * raw bytes (recursively); integers stay numbers and nil is null. Errors are never encoded.
 */
export function encodeReply(reply: unknown, base64: boolean): unknown {
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString('base64') : reply.toString('utf8');
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64));
  if (reply instanceof Error) return reply.message;
  if (reply === undefined) return null;
  return reply;
}
