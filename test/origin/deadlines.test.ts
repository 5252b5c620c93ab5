/**
 * Command deadlines on their own, on fake timers: a call fails once it has waited the timeout
 * (never before), `settled` runs exactly once whichever way it ends, and a connection whose
 * oldest command has not moved for the timeout is dropped.
 */
import { Command, type Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadlines } from '../../origin/cache/store/redis/deadlines.ts';

/** A stand-in for an ioredis connection: its command queue's head and its socket. */
function connection() {
  const queue: unknown[] = [];
  const destroyed: Error[] = [];
  const redis = { commandQueue: { peekFront: () => queue[0] }, stream: { destroy: (error: Error) => destroyed.push(error) } };
  return { redis: redis as unknown as Redis, queue, destroyed };
}

describe('Deadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails a call that waited the timeout, not before, and settles it once', async () => {
    const deadlines = new Deadlines(100, () => []);
    const settled = vi.fn();
    let outcome: unknown;
    deadlines.bound(new Promise(() => {}), settled).then(
      () => (outcome = 'resolved'),
      (error: Error) => (outcome = error),
    );
    await vi.advanceTimersByTimeAsync(99);
    expect(outcome).toBeUndefined();
    // Ticks every 25 ms: the call fails within two ticks past the timeout.
    await vi.advanceTimersByTimeAsync(51);
    expect(outcome).toMatchObject({ code: 'command_timeout' });
    expect(settled).toHaveBeenCalledTimes(1);

    // A call made just before a tick has waited almost nothing at that tick: it still gets the
    // whole timeout.
    await vi.advanceTimersByTimeAsync(24);
    let late: unknown;
    deadlines.bound(new Promise(() => {})).catch((error: unknown) => (late = error));
    await vi.advanceTimersByTimeAsync(99);
    expect(late).toBeUndefined();
    await vi.advanceTimersByTimeAsync(60);
    expect(late).toMatchObject({ code: 'command_timeout' });
    deadlines.close();
  });

  it('passes answers through, mapped, and ignores an answer that comes after the deadline', async () => {
    const deadlines = new Deadlines(100, () => []);
    const settled = vi.fn();
    await expect(deadlines.bound(Promise.resolve(null), settled, (value) => value ?? 'none')).resolves.toBe('none');
    await expect(deadlines.bound(Promise.reject(new Error('refused')), settled)).rejects.toThrow('refused');
    expect(settled).toHaveBeenCalledTimes(2);

    let answer!: (value: string) => void;
    const late = deadlines.bound(new Promise<string>((resolve) => (answer = resolve)), settled);
    late.catch(() => {});
    await vi.advanceTimersByTimeAsync(200);
    answer('too late');
    await expect(late).rejects.toMatchObject({ code: 'command_timeout' });
    expect(settled).toHaveBeenCalledTimes(3);
    deadlines.close();
  });

  it('keeps calls in order: a later call is not failed with an earlier one', async () => {
    const deadlines = new Deadlines(100, () => []);
    const first = deadlines.bound(new Promise(() => {}));
    first.catch(() => {});
    await vi.advanceTimersByTimeAsync(60);
    let second: unknown;
    deadlines.bound(new Promise(() => {})).catch((error: unknown) => (second = error));
    await vi.advanceTimersByTimeAsync(90);
    await expect(first).rejects.toMatchObject({ code: 'command_timeout' });
    expect(second).toBeUndefined();
    await vi.advanceTimersByTimeAsync(100);
    expect(second).toMatchObject({ code: 'command_timeout' });
    deadlines.close();
  });

  it('fails a watched ioredis command through its own reject, and leaves an answered one alone', async () => {
    const deadlines = new Deadlines(100, () => []);
    const hung = new Command('get', ['a'], { replyEncoding: 'utf8' });
    const answered = new Command('get', ['b'], { replyEncoding: 'utf8' });
    const reject = vi.fn(answered.reject);
    deadlines.watch(hung, hung.reject);
    deadlines.watch(answered, reject);
    answered.resolve('value');
    const failed = expect(hung.promise).rejects.toMatchObject({ code: 'command_timeout' });
    await vi.advanceTimersByTimeAsync(200);
    await failed;
    await expect(answered.promise).resolves.toBe('value');
    expect(reject).not.toHaveBeenCalled();
    deadlines.close();
  });

  it('drops a connection whose oldest command has not moved for the timeout, and no other', async () => {
    const stuck = connection();
    const moving = connection();
    const deadlines = new Deadlines(100, () => [stuck.redis, moving.redis]);
    stuck.queue.push('GET a');
    for (let elapsed = 0; elapsed < 200; elapsed += 10) {
      // Replies keep arriving on the other connection: its head changes all the time.
      moving.queue.splice(0, 1, `GET ${elapsed}`);
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(stuck.destroyed).toHaveLength(1);
    expect(moving.destroyed).toHaveLength(0);
    // An idle connection (nothing waiting) is never dropped.
    stuck.queue.length = 0;
    await vi.advanceTimersByTimeAsync(500);
    expect(stuck.destroyed).toHaveLength(1);
    deadlines.close();
  });
});
