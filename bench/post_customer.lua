-- post_customer.lua - wrk script: POST /api/v1/customers with a distinct
-- customer per request (a distinct name and email), as a desk creating
-- customers would.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"name":"Bench Customer %d","emails":["bench%d@bench.example"]}', n, n)
  return wrk.format(nil, nil, nil, body)
end
