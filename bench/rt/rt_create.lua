-- rt_create.lua - wrk script: POST /REST/2.0/ticket, a new ticket in the
-- queue $RT_QUEUE for one of the $CUSTOMERS requestors the fill made
-- (customerN@example.com), with a short body, as a mail or a form would
-- open one.  RT runs its shipped scrips on it (autoreply, notify; mail to
-- a file, see bench/rt/run).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local customers = tonumber(os.getenv("CUSTOMERS") or "1000")
local queue = os.getenv("RT_QUEUE") or "General"
local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"Queue":"%s","Subject":"Bench question %d",' ..
    '"Requestor":"customer%d@example.com",' ..
    '"Content":"Where is my order %d?","ContentType":"text/plain"}',
    queue, n, n % customers + 1, n)
  return wrk.format(nil, nil, nil, body)
end
