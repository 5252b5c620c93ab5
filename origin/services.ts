/**
 * The services as the Node server (and local runs, tests, benchmarks) build them: metrics to
 * Prometheus text for `/metrics`, or to EMF when the configuration says so. The Lambda entry
 * composes with EMF directly (`compose.ts`), so prom-client stays out of its bundle.
 */
import { composeServices, emfOutlet, type MetricsOutlet, type Services, type ServicesConfig } from './compose.ts';
import type { OriginConfig } from './config.ts';
import { prometheusMetrics } from './metrics/prometheus.ts';
import { tallyMetrics, teeMetrics } from './metrics/tally.ts';

export { composeServices, emfOutlet, type Health, type MetricsOutlet, type Services, type ServicesConfig } from './compose.ts';

/** Prometheus counters and histograms, exposed as text at `/metrics`. */
export function prometheusOutlet(): MetricsOutlet {
  const prometheus = prometheusMetrics();
  const tally = tallyMetrics();
  return { sink: teeMetrics(prometheus, tally), tally, text: () => prometheus.text(), contentType: prometheus.contentType, flush: () => {} };
}

function metricsOutlet(config: OriginConfig['metrics']): MetricsOutlet {
  return config.kind === 'emf' ? emfOutlet(config.serviceName) : prometheusOutlet();
}

/** Opens the database and the cache store and wires the services over them. */
export function buildServices(config: ServicesConfig): Promise<Services> {
  return composeServices(config, metricsOutlet(config.metrics ?? { kind: 'prometheus' }));
}
