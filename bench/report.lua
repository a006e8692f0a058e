-- wrk reporter: one JSON line with the counts and latency percentiles the harness reads.
-- Loaded with `wrk -s bench/report.lua`; sends plain GETs (headers come from -H).

local function percentile(latency, p)
  return latency:percentile(p) / 1000.0 -- microseconds to milliseconds
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_ms": {"p50": %.3f, "p90": %.3f, "p99": %.3f, "max": %.3f, "mean": %.3f}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    percentile(latency, 50), percentile(latency, 90), percentile(latency, 99),
    latency.max / 1000.0, latency.mean / 1000.0
  ))
end
