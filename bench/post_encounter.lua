-- post_encounter.lua - wrk script: POST /api/v1/encounters, a new encounter
-- for one of the demo's customers (1..8) per request, routed to a queue and
-- an agent as the desk would (routing counts each agent's open work inside
-- the write transaction).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"customer_id":%d,"channel":"email","subject":"Bench question %d",' ..
    '"topic":"billing"}', n % 8 + 1, n)
  return wrk.format(nil, nil, nil, body)
end
