-- Signed-in members rate one story, each request from the next member's session, as htmx
-- sends it. The sessions file holds one "session-id csrf-token" pair per line.
local sessions = {}
local next_session = 1

function init(args)
  for line in io.lines(args[1]) do
    local session, csrf = line:match("^(%S+) (%S+)$")
    table.insert(sessions, { session = session, csrf = csrf })
  end
  session_cookie = args[2]
  csrf_cookie = args[3]
  math.randomseed(os.time())
end

function request()
  local member = sessions[next_session]
  next_session = next_session % #sessions + 1
  local headers = {
    ["Cookie"] = session_cookie .. "=" .. member.session .. "; " .. csrf_cookie .. "=" .. member.csrf,
    ["X-CSRFToken"] = member.csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["HX-Request"] = "true",
  }
  return wrk.format("POST", wrk.path, headers, "stars=" .. math.random(1, 10))
end
