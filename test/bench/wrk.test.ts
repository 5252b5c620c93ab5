/**
 * Reading wrk's output (`bench/edge/wrk.ts`): the summary line of `wrk.lua` and the CPU the
 * shell's `times` reports for wrk; a run in which any request failed is refused, not reported.
 */
import { describe, expect, it } from 'vitest';
import { parseWrkOutput } from '../../bench/edge/wrk.ts';

const output = (errors = '"statusErrors":0,"socketErrors":0') => `Running 2s test @ http://127.0.0.1:1/v1/bench/public/projects
  1 threads and 16 connections
WRK_RESULT {"requests":6000,"durationUs":2000000,${errors},"p50Us":4100,"p99Us":12500}
0m0.001000s 0m0.002000s
0m0.150000s 0m0.250000s
`;

describe('parseWrkOutput', () => {
  it('reads throughput, latency and the CPU wrk used', () => {
    expect(parseWrkOutput(output())).toEqual({ requests: 6000, rps: 3000, p50Ms: 4.1, p99Ms: 12.5, cpuSeconds: 0.4, durationSeconds: 2 });
  });

  it('refuses a run with failed requests', () => {
    expect(() => parseWrkOutput(output('"statusErrors":3,"socketErrors":0'))).toThrow(/3 responses were not 2xx\/3xx/);
    expect(() => parseWrkOutput(output('"statusErrors":0,"socketErrors":1'))).toThrow(/1 failed at the socket/);
  });

  it('refuses output without the summary', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(/no summary/);
  });
});
