-- wrk script: one submission per request (POST /api/v1/loan-requests), as a neutral
-- load generator sends them (scripts/bench.sh, step 1c). Every request has a fresh
-- Luhn-valid SIREN (so no company reaches its cap), a fresh Idempotency-Key (the path
-- of a browser's submission), and one of the applicants' tokens listed, one per line,
-- in the file named by WRK_TOKENS (each applicant's rate limit stays on).

local tokens = {}
local next_token = 0
local sequence = 0
local prefix = ""

local function luhn_complete(body)
  -- The digit that makes body .. digit pass the Luhn check.
  local sum, double = 0, true
  for i = #body, 1, -1 do
    local d = tonumber(body:sub(i, i))
    if double then
      d = d * 2
      if d > 9 then d = d - 9 end
    end
    sum = sum + d
    double = not double
  end
  return body .. tostring((10 - sum % 10) % 10)
end

function init(args)
  local path = os.getenv("WRK_TOKENS")
  for line in io.lines(path) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  assert(#tokens > 0, "no token in " .. tostring(path))
  -- wrk runs this once per thread: a distinct seed and key prefix for each.
  local id = tostring({}):match("0x(%x+)") or tostring(os.time())
  prefix = "wrk-" .. id .. "-"
  math.randomseed(tonumber(id, 16) % 2147483647 + os.time())
end

function request()
  sequence = sequence + 1
  next_token = next_token % #tokens + 1
  local siren = luhn_complete(string.format("%08d", math.random(10000000, 99999999)))
  local body = '{"bank_id":"30004","company":{"siren":"' .. siren ..
    '","siret":null,"legal_name":"Entreprise de charge","legal_form":"SAS",' ..
    '"creation_date":"2012-05-04","headcount":12,"revenue_cents":100000000,' ..
    '"payroll_cents":40000000,"balance_sheet_cents":null,"innovative":false,' ..
    '"collective_proceedings":false},"requested_amount_cents":5000000,' ..
    '"amortization_years":4,"contact_email":"gerant@entreprise.example"}'
  return wrk.format("POST", "/api/v1/loan-requests", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[next_token],
    ["Idempotency-Key"] = prefix .. sequence,
  }, body)
end

local statuses = {}

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
