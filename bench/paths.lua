-- bench/paths.lua - wrk script: GET each path given after "--" in turn,
-- each wrk thread starting at its own place in the list.
--
--   wrk ... -s bench/paths.lua URL -- /api/v1/customers/1/overview /api/...
local paths = {}
local counter = 0
local next_index = 1

function setup(thread)
  counter = counter + 1
  thread:set("start", counter)
end

function init(args)
  for i, p in ipairs(args) do
    paths[i] = p
  end
  if #paths == 0 then
    error("bench/paths.lua: give the paths after --")
  end
  next_index = ((start or 1) - 1) % #paths + 1
end

function request()
  local p = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format(nil, p)
end
