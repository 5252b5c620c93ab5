/**
 * What the edge keeps per isolate for rate limits cannot be grown without end by made-up
 * identifiers: the limiter's known blocks are an LRU that `@upstash/ratelimit` still takes for
 * its `Map`, and each block is forgotten when its window ends.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BlockList, MAX_BLOCKED } from '../../edge/ratelimit/blocks.ts';
import { mockClock } from './clock.ts';

describe('known rate-limit blocks', () => {
  afterEach(() => vi.restoreAllMocks());

  it('hold at most MAX_BLOCKED identifiers, the least recently used going first', () => {
    const blocks = new BlockList();
    expect(blocks).toBeInstanceOf(Map); // what @upstash/ratelimit requires of an ephemeral cache
    const until = Date.now() + 60_000;
    for (let i = 0; i < MAX_BLOCKED + 100; i++) blocks.set(`ip:${i}`, until);
    expect(blocks.size).toBe(MAX_BLOCKED);
    expect(blocks.has('ip:0')).toBe(false);
    expect(blocks.get(`ip:${MAX_BLOCKED + 99}`)).toBe(until);
  });

  it('forget a block once its window has ended', () => {
    const clock = mockClock();
    const blocks = new BlockList();
    blocks.set('tenant:acme', Date.now() + 1000);
    expect(blocks.has('tenant:acme')).toBe(true);
    clock.advance(1001);
    expect(blocks.has('tenant:acme')).toBe(false);
    expect(blocks.size).toBe(0);
  });
});
