/**
 * The store breaker's rules and its states, on its own: open past the failure percentage once
 * the window holds enough calls, or on a streak of failures that lasted long enough; after the
 * reset timeout one trial call, and every other call fails at once meanwhile instead of waiting
 * for the trial.
 */
import { CircuitState, SamplingBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { StreakOrSampling } from '../../origin/cache/resilience/breaker-rule.ts';
import { createBreaker } from '../../origin/cache/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fail = () => Promise.reject(new Error('redis down'));
const succeed = () => Promise.resolve('ok');

function breaker() {
  // No streak rule here: these cases are about the window.
  return createBreaker({ errorThresholdPercentage: 50, volumeThreshold: 4, resetTimeoutMs: 100, rollingCountTimeoutMs: 10_000, consecutiveFailures: Infinity });
}

describe('store breaker', () => {
  it('stays closed below the volume threshold, and opens past the failure percentage', async () => {
    const b = breaker();
    await expect(b.run(fail)).rejects.toThrow('redis down');
    await expect(b.run(fail)).rejects.toThrow('redis down');
    await expect(b.run(fail)).rejects.toThrow('redis down');
    expect(b.state()).toBe('closed'); // three calls: under the volume threshold
    await b.run(succeed);
    await b.run(succeed);
    expect(b.state()).toBe('closed'); // five calls, three failed: only checked on a failure
    await expect(b.run(fail)).rejects.toThrow('redis down');
    expect(b.state()).toBe('open'); // four of six failed
    let touched = false;
    await expect(b.run(async () => ((touched = true), 'ok'))).rejects.toThrow();
    expect(touched).toBe(false);
  });

  it('counts the successes of a closed breaker against its failures', async () => {
    const b = breaker();
    for (let i = 0; i < 4; i++) await b.run(succeed);
    for (let i = 0; i < 4; i++) await expect(b.run(fail)).rejects.toThrow('redis down');
    expect(b.state()).toBe('closed'); // four of eight failed: not above half
    await expect(b.run(fail)).rejects.toThrow('redis down');
    expect(b.state()).toBe('open'); // five of nine
  });

  it('counts a call that throws before returning a promise as a failure', async () => {
    const b = breaker();
    const throws = (): Promise<string> => {
      throw new Error('no connection');
    };
    for (let i = 0; i < 4; i++) await expect(b.run(throws)).rejects.toThrow('no connection');
    expect(b.state()).toBe('open');
  });

  it('lets one trial call through after the reset timeout and fails the others at once', async () => {
    const b = breaker();
    for (let i = 0; i < 4; i++) await expect(b.run(fail)).rejects.toThrow();
    expect(b.state()).toBe('open');
    await sleep(120);
    expect(b.state()).toBe('half-open'); // reported before any call arrives

    let finishTrial!: (value: string) => void;
    const trial = b.run(() => new Promise<string>((resolve) => (finishTrial = resolve)));
    // The trial ends only below, so a call held until it ends would never settle here.
    await expect(b.run(succeed)).rejects.toThrow('half-open');
    finishTrial('ok');
    await expect(trial).resolves.toBe('ok');
    expect(b.state()).toBe('closed');
    await expect(b.run(succeed)).resolves.toBe('ok');
  });

  it('opens again when the trial fails', async () => {
    const b = breaker();
    for (let i = 0; i < 4; i++) await expect(b.run(fail)).rejects.toThrow();
    await sleep(120);
    await expect(b.run(fail)).rejects.toThrow('redis down');
    expect(b.state()).toBe('open');
  });
});

describe('store breaker: a streak of failures', () => {
  it('opens after the configured failures in a row, however many successes the window holds', async () => {
    const b = createBreaker({
      errorThresholdPercentage: 50,
      volumeThreshold: 4,
      resetTimeoutMs: 100,
      rollingCountTimeoutMs: 10_000,
      consecutiveFailures: 3,
      consecutiveSpanMs: 0,
    });
    for (let i = 0; i < 50; i++) await b.run(succeed);
    await expect(b.run(fail)).rejects.toThrow('redis down');
    await expect(b.run(fail)).rejects.toThrow('redis down');
    await b.run(succeed); // ends the streak
    await expect(b.run(fail)).rejects.toThrow('redis down');
    await expect(b.run(fail)).rejects.toThrow('redis down');
    expect(b.state()).toBe('closed');
    await expect(b.run(fail)).rejects.toThrow('redis down');
    expect(b.state()).toBe('open');
  });

  it('opens only once the streak has lasted its span: a burst of failures settled at once does not', () => {
    let now = 1_000_000;
    const sampling = new SamplingBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 0.5 });
    const rule = new StreakOrSampling(sampling, { failures: 5, spanMs: 100 }, () => now);
    for (let i = 0; i < 1000; i++) rule.success(CircuitState.Closed);
    // Forty calls failed at once (a reset connection, one sweep of timeouts), then calls answer again.
    for (let i = 0; i < 40; i++) expect(rule.failure(CircuitState.Closed)).toBe(false);
    rule.success(CircuitState.Closed);
    now += 125;
    for (let i = 0; i < 40; i++) expect(rule.failure(CircuitState.Closed)).toBe(false);
    // Nothing answers: the next sweep's timeouts continue the streak past its span.
    now += 99;
    expect(rule.failure(CircuitState.Closed)).toBe(false);
    now += 1;
    expect(rule.failure(CircuitState.Closed)).toBe(true);
  });
});
