-- The edge benchmark's wrk script: which paths the load asks for, and a one-line JSON summary.
-- Set by the environment (read in every Lua state wrk makes, so all agree):
--   WRK_PATH   the path (default /v1/bench/public/projects)
--   WRK_MODE   one: that path only (wrk sends one prebuilt request; no Lua per request)
--              cycle: WRK_PATH?page=0 … WRK_COUNT-1 in turn (many stored URLs)
--              fresh: WRK_PATH?fresh=WRK_PREFIX-n, a path never asked before (every one a MISS)
local path = os.getenv('WRK_PATH') or '/v1/bench/public/projects'
local mode = os.getenv('WRK_MODE') or 'one'
local count = tonumber(os.getenv('WRK_COUNT') or '1')
local prefix = os.getenv('WRK_PREFIX') or 'x'
local n = 0

wrk.path = path

if mode == 'cycle' then
  function request()
    n = n + 1
    return wrk.format(nil, path .. '?page=' .. (n % count))
  end
elseif mode == 'fresh' then
  function request()
    n = n + 1
    return wrk.format(nil, path .. '?fresh=' .. prefix .. '-' .. n)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"statusErrors":%d,"socketErrors":%d,"p50Us":%d,"p99Us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
