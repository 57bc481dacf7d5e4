-- wrk script for the load benches (bench/loadRun.ts): POSTs the bodies in the
-- file named by the first script argument (one JSON body a line) round-robin
-- from a random one, and at the end writes one JSON line: requests answered
-- below 400 ("ok"), answers of 400 and over (wrk counts no others as errors),
-- socket errors, timeouts, seconds, latency p50/p99 in ms.
local requests = {}
local count = 0
local next = 0

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open the bodies file " .. tostring(args[1]))
  for line in file:lines() do
    if #line > 0 then
      count = count + 1
      requests[count] = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, line)
    end
  end
  file:close()
  assert(count > 0, "no bodies in " .. args[1])
  next = math.random(count) - 1
end

function request()
  next = next % count + 1
  return requests[next]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"ok":%d,"non2xx":%d,"errors":%d,"timeouts":%d,"seconds":%.3f,"p50":%.3f,"p99":%.3f}\n',
    summary.requests - e.status, e.status, e.connect + e.read + e.write, e.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
