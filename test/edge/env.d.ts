// Types the `env` that `cloudflare:workers` hands to tests, from the Worker's own bindings.
declare namespace Cloudflare {
  interface Env extends import('../../edge/env.ts').Env {}
}
