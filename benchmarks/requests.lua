-- wrk script: cycles through the requests listed in a file (one per line, tab-separated:
-- METHOD, PATH, COOKIE, BODY), e.g. many patients' beacons, each with its own session cookie.
-- "{client_id}" in a body becomes an id unique to this request (thread number + counter), so every
-- beacon is a new report, as it is from real patients.
--
-- Usage: wrk -t2 -c16 -d10s --latency -s benchmarks/requests.lua http://127.0.0.1:PORT -- FILE

local threads = {}
local counter = 0
local thread_number = 0
local requests = {}

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  thread_number = tonumber(wrk.thread:get("thread_number")) or 0
  for line in io.lines(args[1]) do
    if line ~= "" then
      local fields = split(line)
      table.insert(requests, {method = fields[1], path = fields[2], cookie = fields[3], body = fields[4] or ""})
    end
  end
  -- Each thread starts at a different place in the list.
  counter = thread_number * 7919
end

function request()
  counter = counter + 1
  local entry = requests[(counter % #requests) + 1]
  local headers = {}
  if entry.cookie ~= "" then
    headers["Cookie"] = entry.cookie
  end
  local body = nil
  if entry.body ~= "" then
    local client_id = string.format("wrk%02d%013d", thread_number, counter)
    body = entry.body:gsub("{client_id}", client_id)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(entry.method, entry.path, headers, body)
end

function done(summary, latency, requests)
  -- status = responses that were not 2xx or 3xx.
  io.write(string.format("STATUS_ERRORS connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
end
