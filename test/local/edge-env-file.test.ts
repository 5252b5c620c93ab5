/**
 * The local edge's bindings go through an env file that wrangler reads with dotenv: a value
 * must reach the Worker byte for byte (a JSON `ROUTE_POLICY` with its quotes included).
 */
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { envFileValue } from '../../local/edge.ts';

describe('envFileValue', () => {
  const values = [
    JSON.stringify([{ pattern: '/v1/:tenant/public/projects', mode: 'override', ttlSeconds: 2 }]),
    'plain-secret_0123456789',
    "it's got a single quote",
    'two\nlines',
  ];

  for (const value of values) {
    it(`round-trips ${JSON.stringify(value).slice(0, 40)}`, () => {
      expect(parseEnv(`NAME=${envFileValue(value)}\n`).NAME).toBe(value);
    });
  }

  it('refuses a value no dotenv quoting can carry', () => {
    expect(() => envFileValue(`it's "both"`)).toThrow(/single quote/);
  });
});
