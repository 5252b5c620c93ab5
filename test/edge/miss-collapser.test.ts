/**
 * The miss collapser's bound on a joiner's wait. A fetch whose request went away before it
 * settled (a deployed Worker's request is cancelled, its pending work with it, when its client
 * disconnects) never settles: a joiner stops waiting after its bound, fetches itself, and later
 * requests join that fetch instead of the dead one. Joiners in separate requests, as workerd runs
 * them, are test/e2e/collapsed-misses.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MissCollapser, type Fetched } from '../../edge/cache/collapse.ts';

const answer = (body: string): Fetched => ({
  status: 200,
  headers: new Headers({ 'x-body': body }),
  body: new TextEncoder().encode(body).buffer as ArrayBuffer,
});
const never = () => new Promise<Fetched>(() => {});

/** A fetch the test settles, and a promise of its start. */
function controlled() {
  let settle!: (fetched: Fetched) => void;
  let started!: () => void;
  const start = new Promise<void>((resolve) => (started = resolve));
  const fetchOnce = () => {
    started();
    return new Promise<Fetched>((resolve) => (settle = resolve));
  };
  return { fetchOnce, start, settle: (fetched: Fetched) => settle(fetched) };
}

describe('MissCollapser', () => {
  it('hands a settled fetch to the requests that joined it, each with its own headers', async () => {
    const collapser = new MissCollapser();
    const fetch = controlled();
    const leader = collapser.run('k', fetch.fetchOnce, 60_000);
    const joiners = [collapser.run('k', never, 60_000), collapser.run('k', never, 60_000)];
    fetch.settle(answer('one'));
    const [led, ...joined] = await Promise.all([leader, ...joiners]);
    expect(led.joined).toBe(false);
    expect(joined.map((j) => j.joined)).toEqual([true, true]);
    expect(joined.map((j) => j.fetched.headers.get('x-body'))).toEqual(['one', 'one']);
    expect(joined[0]!.fetched.headers).not.toBe(led.fetched.headers);
  });

  it('stops waiting for a fetch that never settles: the joiner fetches itself, and later requests join it', async () => {
    const collapser = new MissCollapser();
    void collapser.run('k', never, 60_000); // its request went away: never settles
    const own = controlled();
    const joiner = collapser.run('k', own.fetchOnce, 20);
    await own.start; // the joiner gave up on the dead fetch and leads its own
    const later = collapser.run('k', never, 60_000);
    own.settle(answer('two'));
    expect(await joiner).toMatchObject({ joined: false, fetched: { status: 200 } });
    const joinedLater = await later;
    expect(joinedLater.joined).toBe(true);
    expect(joinedLater.fetched.headers.get('x-body')).toBe('two');
  });
});
