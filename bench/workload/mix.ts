/**
 * The request mix and the plan drawn from it. A plan is a list of abstract requests (what, whose,
 * which object), drawn from one seed: tenants, users and projects by Zipf's law, kinds by weight.
 * Running a plan turns each into HTTP requests (`client.ts`); the plan alone is reproducible.
 */
import type { DataType } from '../../common/keys.ts';
import { seededRandom, weightedPick, Zipf } from './random.ts';
import type { WorldTenant } from './world.ts';

/** One kind of request, with what it reads or writes. */
export interface Kind {
  /** Relative weight in the mix. */
  readonly weight: number;
  /** Needs a signed-in user. */
  readonly signedIn: boolean;
  readonly write: boolean;
  /** The cached data type the request is about, for the report; undefined for pure session work. */
  readonly dataType: DataType | undefined;
  readonly about: string;
}

/**
 * The mix: anonymous public reads through the edge (47 %), sign-ins, signed-in reads of
 * sessions, profiles, private projects and configuration, and writes (2.3 %, sign-ins apart):
 * a read-heavy API, as the design's targets assume. Weights are percentages of the plan.
 */
export const KINDS = {
  'public-project': { weight: 32, signedIn: false, write: false, dataType: 'resource', about: 'GET /v1/{t}/public/projects/{id}, anonymous (edge-cacheable)' },
  'public-list': { weight: 12, signedIn: false, write: false, dataType: 'api', about: 'GET /v1/{t}/public/projects, anonymous (edge-cacheable)' },
  'config-limits': { weight: 3.2, signedIn: false, write: false, dataType: 'config', about: 'GET /v1/{t}/config/limits, anonymous' },
  'sign-in': {
    weight: 1.5,
    signedIn: false,
    write: true,
    dataType: 'session',
    about: 'POST /v1/{t}/sessions (a new device; also before any signed-in request without a session)',
  },
  session: { weight: 7, signedIn: true, write: false, dataType: 'session', about: 'GET /v1/{t}/sessions/current' },
  'profile-me': { weight: 14, signedIn: true, write: false, dataType: 'user', about: 'GET /v1/{t}/me' },
  'profile-other': { weight: 5, signedIn: true, write: false, dataType: 'user', about: 'GET /v1/{t}/users/{id}' },
  'private-project': { weight: 11, signedIn: true, write: false, dataType: 'resource', about: 'GET /v1/{t}/projects/{id}' },
  'private-list': { weight: 6, signedIn: true, write: false, dataType: 'api', about: 'GET /v1/{t}/projects' },
  'config-settings': { weight: 6, signedIn: true, write: false, dataType: 'config', about: 'GET /v1/{t}/config/app_settings' },
  'project-edit': { weight: 0.8, signedIn: true, write: true, dataType: 'resource', about: 'PATCH /v1/{t}/projects/{id} (a new name)' },
  'profile-edit': { weight: 0.5, signedIn: true, write: true, dataType: 'user', about: 'PATCH /v1/{t}/users/{self} (a new name)' },
  'config-edit': { weight: 0.1, signedIn: true, write: true, dataType: 'config', about: 'PUT /v1/{t}/config/app_settings (the admin)' },
  'password-change': {
    weight: 0.1,
    signedIn: true,
    write: true,
    dataType: 'session',
    about: 'POST /v1/{t}/users/{self}/password (ends every session of the user)',
  },
  logout: { weight: 0.8, signedIn: true, write: true, dataType: 'session', about: 'DELETE /v1/{t}/sessions/current' },
} as const satisfies Record<string, Kind>;

export type KindName = keyof typeof KINDS;

/** One planned request: indexes into the world. */
export interface Planned {
  readonly kind: KindName;
  readonly tenant: number;
  /** The acting user (the admin for config edits); for anonymous kinds, the visitor's number. */
  readonly user: number;
  /** Another user of the tenant (profile-other). */
  readonly other: number;
  /** A project: among the public ones for anonymous kinds, among all otherwise. */
  readonly project: number;
}

/** Zipf exponents of the draws. */
export interface Skew {
  tenants: number;
  users: number;
  projects: number;
}

export const DEFAULT_SKEW: Skew = { tenants: 1.1, users: 1.1, projects: 1.1 };
/** Anonymous visitors, each with an address of its own (the edge limits requests per address). */
export const VISITORS = 4096;

/** Draws `count` requests from `seed` over `world`. */
export function planRequests(seed: number, count: number, world: readonly WorldTenant[], skew: Skew = DEFAULT_SKEW): Planned[] {
  const random = seededRandom(seed);
  const tenants = new Zipf(world.length, skew.tenants);
  const users = new Zipf(world[0]!.users.length, skew.users);
  const projects = new Zipf(world[0]!.projects.length, skew.projects);
  const publicProjects = new Zipf(world[0]!.publicProjects.length, skew.projects);
  const weights = Object.fromEntries(Object.entries(KINDS).map(([name, kind]) => [name, kind.weight])) as Record<KindName, number>;
  const plan: Planned[] = [];
  for (let i = 0; i < count; i++) {
    const kind = weightedPick(weights, random);
    const tenant = tenants.sample(random);
    const anonymous = !KINDS[kind].signedIn && kind !== 'sign-in';
    const user = kind === 'config-edit' ? 0 : anonymous ? Math.floor(random() * VISITORS) : users.sample(random);
    const other = users.sample(random);
    const project = anonymous ? publicProjects.sample(random) : projects.sample(random);
    plan.push({ kind, tenant, user, other, project });
  }
  return plan;
}
