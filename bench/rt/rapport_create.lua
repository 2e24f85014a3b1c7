-- rapport_create.lua - wrk script: POST /api/v1/encounters, a new encounter
-- for one of the generated desk's first $CUSTOMERS customers, routed to a
-- queue and an agent as the desk would (the same work as RT's create in
-- rt_create.lua: one new item of work for a known customer).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local customers = tonumber(os.getenv("CUSTOMERS") or "1000")
local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"customer_id":%d,"channel":"email","subject":"Bench question %d",' ..
    '"topic":"billing"}', n % customers + 1, n)
  return wrk.format(nil, nil, nil, body)
end
