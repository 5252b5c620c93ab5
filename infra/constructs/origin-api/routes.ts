/** The public-route table of {@link OriginApi}: its shape and the checks API Gateway would fail late. */
import type { Duration } from 'aws-cdk-lib';
import * as d from './defaults.ts';

/** Steady-state requests per second and burst capacity. */
export interface Throttling {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** A public GET route that API Gateway's stage cache may answer. */
export interface PublicRoute {
  /** Path under `/v1/{tenant}/public/`, e.g. `projects/{id}`. */
  readonly path: string;
  /** 5–60 minutes. */
  readonly cacheTtl: Duration;
  /** Query parameters that change the response; they join the cache key. @default none */
  readonly cacheKeyQueryParameters?: string[];
  /** Per-method limits. @default the stage's */
  readonly throttling?: Throttling;
}

/** A public route, checked and placed under `/v1/{tenant}/public/`. */
export interface ParsedRoute {
  route: PublicRoute;
  relative: string;
  resourcePath: string;
  pathParams: string[];
}

/** Throws unless both limits are positive. */
export function validateThrottling(t: Throttling, what: string): void {
  if (!(t.rateLimit > 0) || !Number.isInteger(t.burstLimit) || t.burstLimit < 1) {
    throw new Error(`OriginApi: ${what} needs rateLimit > 0 and an integer burstLimit ≥ 1, got ${JSON.stringify(t)}`);
  }
}

/** Checks `route` against API Gateway's rules and the stage's limits. */
export function parseRoute(route: PublicRoute, stage: Throttling): ParsedRoute {
  const relative = route.path.replace(/^\/+|\/+$/g, '');
  const segments = relative.split('/');
  const pathParams: string[] = [];
  for (const segment of segments) {
    const param = /^\{([a-zA-Z][a-zA-Z0-9]*)\}$/.exec(segment)?.[1];
    if (param) {
      if (param === 'tenant' || pathParams.includes(param)) throw new Error(`OriginApi: public route ${route.path} repeats the path parameter {${param}}`);
      pathParams.push(param);
    } else if (!/^[a-z0-9][a-z0-9_.-]*$/.test(segment)) {
      throw new Error(
        `OriginApi: public route ${JSON.stringify(route.path)} has an invalid segment ${JSON.stringify(segment)} (greedy {x+} paths cannot be cached per route)`,
      );
    }
  }
  const ttl = route.cacheTtl.toSeconds();
  if (ttl < d.MIN_CACHE_TTL.toSeconds() || ttl > d.MAX_CACHE_TTL.toSeconds()) {
    throw new Error(`OriginApi: public route ${route.path} cacheTtl must be 5–60 minutes, got ${ttl} s`);
  }
  for (const name of route.cacheKeyQueryParameters ?? []) {
    if (!/^[a-zA-Z0-9_.-]+$/.test(name)) throw new Error(`OriginApi: public route ${route.path} has an invalid query parameter name ${JSON.stringify(name)}`);
  }
  if (route.throttling) {
    validateThrottling(route.throttling, `public route ${route.path} throttling`);
    if (route.throttling.rateLimit > stage.rateLimit || route.throttling.burstLimit > stage.burstLimit) {
      throw new Error(
        `OriginApi: public route ${route.path} throttling ${JSON.stringify(route.throttling)} exceeds the stage's ${JSON.stringify(stage)} and could never apply`,
      );
    }
  }
  return { route, relative, resourcePath: `/v1/{tenant}/public/${relative}`, pathParams };
}
