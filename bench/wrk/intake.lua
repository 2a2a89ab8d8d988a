-- wrk script: POST a distinct registration (its own organisation business ID) per request.
--
--   WRK_TEMPLATE=body.json [WRK_TOKEN=…] [WRK_IDS_FILE=ids.tsv] [WRK_START=1000000] \
--   WRK_THREADS=1 wrk -t1 -c16 -d5s --latency -s bench/wrk/intake.lua http://host:port/v1/registrations
--
-- The body is WRK_TEMPLATE with @BID@ (business ID, "1234567-1"), @BID7@ (its seven digits)
-- and @OID@ (its digits without leading zeros) replaced; bench/_wrk.py writes it from the form
-- bench/intake.py posts. Business IDs (valid Y-tunnus) are either read from WRK_IDS_FILE, one
-- "business_id<TAB>token" a line (the token, optional, is sent as "Authorization: Bearer …",
-- else WRK_TOKEN), or generated here from WRK_START on. Thread k of WRK_THREADS takes every
-- WRK_THREADS-th of them, so no two requests share an ID; when a file runs out its IDs are
-- used again and `ids_wrapped` counts how often. done() prints one line "WRK_JSON {…}".

local WEIGHTS = { 7, 9, 10, 5, 8, 4, 2 }
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- The business ID of number n (0..9999999), or nil for the never issued ones (remainder 1).
local function ytunnus(n)
  local digits = string.format("%07d", n)
  local sum = 0
  for i = 1, 7 do
    sum = sum + (string.byte(digits, i) - 48) * WEIGHTS[i]
  end
  local r = sum % 11
  if r == 1 then
    return nil
  end
  return digits .. "-" .. (r == 0 and 0 or 11 - r)
end

local function read_all(path)
  local file = assert(io.open(path, "rb"), "cannot open " .. path)
  local text = file:read("*a")
  file:close()
  return text
end

function init(args)
  stride = tonumber(os.getenv("WRK_THREADS") or "1")
  template = read_all(assert(os.getenv("WRK_TEMPLATE"), "WRK_TEMPLATE is not set"))
  token = os.getenv("WRK_TOKEN") or ""
  headers = { ["Content-Type"] = "application/json" }
  wrapped = 0
  made = 0
  ids = nil
  local path = os.getenv("WRK_IDS_FILE")
  if path and path ~= "" then
    ids = {}
    local index = 0
    for line in io.lines(path) do
      if index % stride == tid and line ~= "" then
        local bid, own = line:match("^([^\t]+)\t?(.*)$")
        table.insert(ids, { bid, own })
      end
      index = index + 1
    end
    assert(#ids > 0, "thread " .. tid .. " got no IDs from " .. path)
    next_id = 1
  else
    next_number = tonumber(os.getenv("WRK_START") or "1000000") + tid
  end
end

local function next_business_id()
  if ids then
    if next_id > #ids then
      next_id = 1
      wrapped = wrapped + 1
    end
    local entry = ids[next_id]
    next_id = next_id + 1
    return entry[1], entry[2]
  end
  while true do
    local n = next_number
    next_number = next_number + stride
    assert(n <= 9999999, "ran out of business IDs")
    local bid = ytunnus(n)
    if bid then
      return bid, ""
    end
  end
end

function request()
  local bid, own = next_business_id()
  made = made + 1
  local digits = bid:sub(1, 7)
  local body = template:gsub("@BID7@", digits):gsub("@OID@", (digits .. bid:sub(9)):match("^0*(.*)$")):gsub("@BID@", bid)
  local bearer = own ~= "" and own or token
  headers["Authorization"] = bearer ~= "" and ("Bearer " .. bearer) or nil
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local made_total, wrapped_total = 0, 0
  for _, thread in ipairs(threads) do
    made_total = made_total + (thread:get("made") or 0)
    wrapped_total = wrapped_total + (thread:get("wrapped") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, '
      .. '"read": %d, "write": %d, "status": %d, "timeout": %d}, "latency_us": {"min": %d, '
      .. '"mean": %.1f, "stdev": %.1f, "max": %d, "p50": %d, "p90": %d, "p99": %d, '
      .. '"p99.9": %d}, "requests_made": %d, "ids_wrapped": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), made_total, wrapped_total
  ))
end
