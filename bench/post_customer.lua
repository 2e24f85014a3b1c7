-- post_customer.lua - wrk script: POST /api/v1/customers with a distinct
-- customer per request (a distinct name and email), as a desk creating
-- customers would.  Each wrk thread numbers its own requests, so the
-- thread's number is part of the email (two threads must never send the
-- same address, which the desk refuses as a duplicate).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"name":"Bench Customer %d-%d","emails":["bench%d-%d@bench.example"]}',
    tid or 0, n, tid or 0, n)
  return wrk.format(nil, nil, nil, body)
end
