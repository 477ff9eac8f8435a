-- One wrk script for every bench/run row, configured through the environment (read when the script
-- loads, so wrk sees a static request when no request() is needed and skips the response() hook
-- unless statuses are tallied):
--   BENCH_MODE     plain (the URL as given) | get_user (GET /users/<random id>) | post_user
--                  (POST /users with a unique e-mail per request) | post_order (POST /orders for a
--                  random user 1..BENCH_MAX_ID, one item at price 0: no payment call)
--   BENCH_MAX_ID   get_user: ids are drawn uniformly from 1..BENCH_MAX_ID
--   BENCH_API_KEY  sent as X-API-Key when set
--   BENCH_BEARER   sent as "Authorization: Bearer <token>" when set (jwt services)
--   BENCH_TALLY    1: count responses per HTTP status (response() hook; costs a little)
--   BENCH_RUN_ID   post_user: makes e-mails unique across runs
-- done() prints one line "ZTJSON {...}" that bench/run parses: requests, duration_us, rps,
-- latency p50/p90/p99/max (us), socket errors, non-2xx/3xx count, and the status tally.
local mode = os.getenv("BENCH_MODE") or "plain"
local maxId = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
local apiKey = os.getenv("BENCH_API_KEY")
local tally = os.getenv("BENCH_TALLY") == "1"
local runId = os.getenv("BENCH_RUN_ID") or tostring(os.time())

local bearer = os.getenv("BENCH_BEARER")
if apiKey and apiKey ~= "" then wrk.headers["X-API-Key"] = apiKey end
if bearer and bearer ~= "" then wrk.headers["Authorization"] = "Bearer " .. bearer end

local threads = {}
local nextThread = 0

function setup(thread)
   nextThread = nextThread + 1
   thread:set("tid", nextThread)
   table.insert(threads, thread)
end

function init(args)
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
   counts = {}
   seq = 0
end

if mode == "get_user" then
   function request()
      return wrk.format("GET", "/users/" .. math.random(1, maxId))
   end
elseif mode == "post_user" then
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   function request()
      seq = seq + 1
      local email = string.format("b%s-t%d-%d@bench.example", runId, tid or 0, seq)
      return wrk.format("POST", "/users", nil, '{"name":"Bench User","email":"' .. email .. '"}')
   end
elseif mode == "post_order" then
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   function request()
      return wrk.format("POST", "/orders", nil, '{"userId":' .. math.random(1, maxId) ..
                        ',"items":[{"sku":"BENCH-1","quantity":1,"priceCents":0}]}')
   end
end

if tally then
   function response(status, headers, body)
      local key = tostring(status)
      counts[key] = (counts[key] or 0) + 1
   end
end

function done(summary, latency, requests)
   local statuses = {}
   for _, t in ipairs(threads) do
      local c = t:get("counts")
      if c then
         for k, v in pairs(c) do statuses[k] = (statuses[k] or 0) + v end
      end
   end
   local parts = {}
   for k, v in pairs(statuses) do table.insert(parts, string.format('"%s":%d', k, v)) end
   local e = summary.errors
   io.write(string.format(
      'ZTJSON {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
      '"max_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"non2xx3xx":%d,' ..
      '"statuses":{%s}}\n',
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.timeout, e.status, table.concat(parts, ",")))
end
