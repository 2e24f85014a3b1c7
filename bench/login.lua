-- login.lua - wrk script: POST /api/v1/session with the right password,
-- cycling over the agents bench/slowwork made (slow1..slowN, N from the
-- environment's AGENTS, default 16), so that no account has more than one
-- or two logins in flight (five from one address would be throttled).
-- Each login checks a password with argon2id (64 MiB, tens of
-- milliseconds): a login storm.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local agents = tonumber(os.getenv("AGENTS") or "16")
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local i = 1 + ((n * 7 + (tid or 0) * 3) % agents)
  local body = string.format(
    '{"email":"slow%d@bench.example","password":"slow work bench 1234"}', i)
  return wrk.format(nil, nil, nil, body)
end
