-- post_encounter.lua - wrk script: POST /api/v1/encounters, a new encounter
-- for one of the demo's customers (1..8) per request, routed to a queue and
-- an agent as the desk would (routing counts each agent's open work inside
-- the write transaction).  BENCH_CUSTOMERS=N spreads the encounters over
-- customers 1..N instead (a large desk's, e.g. 1000000): each create then
-- touches its customer's own pages of the per-customer indexes, as a desk's
-- arrivals do, where eight customers keep those pages hot.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local customers = tonumber(os.getenv("BENCH_CUSTOMERS") or "") or 8
local n = 0
-- each thread, and each run, draws its own customers: a run drawing the
-- ones of the run before would find their pages where that run left them
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
end
request = function()
  n = n + 1
  local customer = customers == 8 and n % 8 + 1 or math.random(customers)
  local body = string.format(
    '{"customer_id":%d,"channel":"email","subject":"Bench question %d",' ..
    '"topic":"billing"}', customer, n)
  return wrk.format(nil, nil, nil, body)
end
