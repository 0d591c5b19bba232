-- Anonymous reads across many stories: each request asks for the next path of a file that
-- holds one story path per line, and each answer is counted as a page-cache hit or miss from
-- its X-Cache header (X-Page-Cache on older code). done() adds up what every thread counted
-- and prints one line the harness reads:  page cache: <hits> hits, <misses> misses, <none> unmarked
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then table.insert(paths, line) end
  end
  -- Threads start at different places in the list, so they do not read in lockstep.
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  position = math.random(1, #paths)
  hits, misses, unmarked = 0, 0, 0
end

function request()
  local path = paths[position]
  position = position % #paths + 1
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local state = nil
  for name, value in pairs(headers) do
    local lowered = string.lower(name)
    if lowered == "x-cache" or lowered == "x-page-cache" then state = string.lower(value) end
  end
  if state == "hit" then
    hits = hits + 1
  elseif state == "miss" then
    misses = misses + 1
  else
    unmarked = unmarked + 1
  end
end

function done(summary, latency, requests)
  local total_hits, total_misses, total_unmarked = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_hits = total_hits + (thread:get("hits") or 0)
    total_misses = total_misses + (thread:get("misses") or 0)
    total_unmarked = total_unmarked + (thread:get("unmarked") or 0)
  end
  io.write(string.format("page cache: %d hits, %d misses, %d unmarked\n",
    total_hits, total_misses, total_unmarked))
end
