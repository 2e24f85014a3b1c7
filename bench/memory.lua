-- memory.lua - wrk script for bench/memory: a desk's mix of reads over
-- random customers and encounters of a large desk, with some writes.
--
-- Each request is drawn at random (a fixed seed per wrk thread): the 360
-- view of a customer (30%), a customer's moments (10%), an encounter
-- (15%), a customer's encounters (7%), the open work list (5%), the
-- customer list (3%), a customer search (10%: a name or a part of one),
-- knowledge search (10%: a word of the vocabulary), and a new encounter
-- for a random customer (10%: a write).  CUSTOMERS and ENCOUNTERS (from
-- the environment) bound the ids.
local customers = tonumber(os.getenv("CUSTOMERS") or "1000000")
local encounters = tonumber(os.getenv("ENCOUNTERS") or "3000000")
local names = {"Martin", "Müller", "Quirkfield", "garcia", "Dubois", "nguy",
               "Tanaka", "rtin", "Søren", "王", "Okafor", "Petrov"}
local words = {"printer", "refund", "quirkfield", "tray", "invoice",
               "router", "warranty", "dupl", "printer paper", "boiler"}
local n = 0

-- each wrk thread its own seed, the same from run to run
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

init = function(args)
  math.randomseed(1000 + (seed or 0))
end

local function any(t)
  return t[math.random(#t)]
end

local function escape(s)
  return (string.gsub(s, "[^%w]", function(ch)
    return string.format("%%%02X", string.byte(ch))
  end))
end

-- a write carries the command line's headers (the token) and its type
local function with_type()
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Content-Type"] = "application/json"
  return h
end

request = function()
  n = n + 1
  local r = math.random(100)
  local c = math.random(customers)
  if r <= 30 then
    return wrk.format("GET", "/api/v1/customers/" .. c .. "/overview")
  elseif r <= 40 then
    return wrk.format("GET", "/api/v1/customers/" .. c .. "/moments?limit=50")
  elseif r <= 55 then
    return wrk.format("GET", "/api/v1/encounters/" .. math.random(encounters))
  elseif r <= 62 then
    return wrk.format("GET", "/api/v1/encounters?customer_id=" .. c)
  elseif r <= 67 then
    return wrk.format("GET", "/api/v1/encounters?state=open&limit=50")
  elseif r <= 70 then
    return wrk.format("GET", "/api/v1/customers?limit=50")
  elseif r <= 80 then
    return wrk.format("GET", "/api/v1/customers?q=" .. escape(any(names)))
  elseif r <= 90 then
    return wrk.format("GET", "/api/v1/kb/search?q=" .. escape(any(words)))
  else
    local body = string.format(
      '{"customer_id":%d,"channel":"email","subject":"Memory bench %d",' ..
      '"topic":"billing"}', c, n)
    return wrk.format("POST", "/api/v1/encounters", with_type(), body)
  end
end
