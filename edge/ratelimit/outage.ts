/**
 * When the limiter may call Upstash. After a failed call the isolate pauses calls for
 * `FAIL_OPEN_MS`, so an outage costs one request a timeout, not every request; once the pause
 * ends, one request at a time probes (the others keep failing open until it settles), so a
 * hanging Upstash costs one request per pause per isolate. That is what lets the pause be 5 s
 * rather than 10 s: clients not yet known to be over a limit go unlimited half as long.
 */
import { UPSTASH_TIMEOUT_MS } from './client.ts';

/** How long calls to Upstash pause after a failure. */
export const FAIL_OPEN_MS = 5_000;

/** A limiter client's outage state; both times are epoch ms, 0 when unset. */
export interface Outage {
  /** After a failure: no calls before this; stays set until a call succeeds. */
  pausedUntil: number;
  /** While one request probes after a pause: others skip Upstash until this. */
  probeUntil: number;
}

/** Whether this request may call Upstash now; claims the probe when a pause has just ended. */
export function mayCallUpstash(outage: Outage): boolean {
  if (outage.pausedUntil === 0) return true;
  const now = Date.now();
  if (now < outage.pausedUntil || now < outage.probeUntil) return false;
  // The probe's own call is bounded by the command timeout; past that, another may probe.
  outage.probeUntil = now + UPSTASH_TIMEOUT_MS;
  return true;
}

/** Records an answered call: the outage, if any, is over. */
export function recordSuccess(outage: Outage): void {
  outage.pausedUntil = 0;
  outage.probeUntil = 0;
}

/** Records a failed call: calls pause for `FAIL_OPEN_MS`. */
export function pauseAfterFailure(outage: Outage): void {
  outage.pausedUntil = Date.now() + FAIL_OPEN_MS;
  outage.probeUntil = 0;
}
