-- mail_inbound.lua - wrk script for POST /api/v1/mail/inbound: raw emails,
-- half of them new requests from new senders, half replies whose
-- In-Reply-To names one of the 1,000,000 messages bench/mail seeded (so
-- every reply costs a threading lookup in that table).  Every Message-ID
-- is new, so nothing is a duplicate; the seeded customer of the answered
-- message is its sender, as in real mail.  done() prints how many answers
-- were not 200, which must be none.
-- tid and failed are globals: thread:set() and thread:get() reach a
-- thread's globals, never its locals.
local threads = {}
local counter = 0
tid, failed = 0, 0
local next_tid = 1
local stamp = os.time()

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(tid * 7919 + stamp)
  wrk.headers["Content-Type"] = "message/rfc822"
end

local function message(from, subject, id, reply_to, text)
  local h = "From: " .. from .. "\r\n" ..
            "To: help@desk.example\r\n" ..
            "Subject: " .. subject .. "\r\n" ..
            "Date: Tue, 01 Dec 2026 12:00:00 +0000\r\n" ..
            "Message-ID: <" .. id .. ">\r\n"
  if reply_to then
    h = h .. "In-Reply-To: <" .. reply_to .. ">\r\n" ..
             "References: <" .. reply_to .. ">\r\n"
  end
  return h .. "MIME-Version: 1.0\r\n" ..
         "Content-Type: text/plain; charset=utf-8\r\n\r\n" .. text .. "\r\n"
end

request = function()
  counter = counter + 1
  local id = string.format("wrk-%d-%d-%d@bench.example", stamp, tid, counter)
  local body
  if counter % 2 == 0 then
    local k = math.random(1, 1000000)
    local cust = math.floor((k - 1) / 10) % 20000 + 1
    body = message(string.format("Customer %d <cust%d@bench.example>", cust, cust),
                   "Re: My order", id, string.format("seed-%d@bench.example", k),
                   "Thank you, that answers my question.\r\n\r\n" ..
                   "On Mon, 30 Nov 2026, Support wrote:\r\n> Your order left today.")
  else
    body = message(string.format("New Sender <new-%d-%d-%d@bench.example>",
                                 stamp, tid, counter),
                   "A new question", id, nil,
                   "Hello, do you deliver on Saturdays?")
  end
  return wrk.format("POST", nil, nil, body)
end

response = function(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
    if failed <= 3 then io.stderr:write(status .. " " .. body .. "\n") end
  end
end

done = function(summary, latency, requests)
  local f = 0
  for _, t in ipairs(threads) do f = f + (t:get("failed") or 0) end
  io.write(string.format("answers other than 200: %d\n", f))
end
