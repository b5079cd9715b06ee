-- wrk script of bench/serve.sh. Environment: BENCH_METHOD (GET or POST), BENCH_PATH,
-- BENCH_BODIES (a file of request bodies, one a line, cycled; POST only), BENCH_AUTH (a
-- whole header line "Name: value", or empty). Counts non-2xx answers (wrk itself counts
-- only >= 400 and socket errors) and prints one machine-readable RESULT line.
local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local auth = os.getenv("BENCH_AUTH") or ""
local headers = {}
if auth ~= "" then
  local name, value = auth:match("^([^:]+):%s*(.*)$")
  headers[name] = value
end
local bodies = {}
local file = os.getenv("BENCH_BODIES")
if file and file ~= "" then
  for line in io.lines(file) do
    if line ~= "" then bodies[#bodies + 1] = line end
  end
  headers["Content-Type"] = "application/json"
end
local threads = {}
local i = 0
bad = 0
first_bad = ""

function setup(thread) threads[#threads + 1] = thread end

function request()
  if #bodies > 0 then
    i = i % #bodies + 1
    return wrk.format(method, path, headers, bodies[i])
  end
  return wrk.format(method, path, headers)
end

function response(status, hdrs, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == "" then first_bad = tostring(status) end
  end
end

function done(summary, latency, requests)
  local non2xx = 0
  local first = ""
  for _, t in ipairs(threads) do
    non2xx = non2xx + (tonumber(t:get("bad")) or 0)
    if first == "" then first = t:get("first_bad") or "" end
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d first_non2xx=%s socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, non2xx, first == "" and "-" or first, errors))
end
