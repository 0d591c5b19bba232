-- Every request asks for a new address (a query parameter nobody else sent), so no cache
-- can answer it: each one is a full render.
local counter = 0

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  prefix = tostring(math.random(1, 1000000000))
end

function request()
  counter = counter + 1
  local separator = "?"
  if string.find(wrk.path, "?", 1, true) then separator = "&" end
  return wrk.format("GET", wrk.path .. separator .. "bench=" .. prefix .. "-" .. counter)
end
