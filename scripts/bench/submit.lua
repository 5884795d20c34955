-- wrk script: authenticated loan-request submissions, each for a fresh company
-- (random Luhn-valid SIREN), so the aggregate cap never refuses one.
local token = os.getenv("PGE_TOKEN")
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
end

local function luhn_complete(body)
  for check = 0, 9 do
    local digits = body .. check
    local sum = 0
    local n = #digits
    for i = n, 1, -1 do
      local d = tonumber(digits:sub(i, i))
      if (n - i) % 2 == 1 then
        d = d * 2
        if d > 9 then d = d - 9 end
      end
      sum = sum + d
    end
    if sum % 10 == 0 then return digits end
  end
end

request = function()
  local siren = luhn_complete(string.format("%08d", math.random(0, 99999999)))
  local body = string.format(
    '{"bank_id":"30004","company":{"siren":"%s","legal_name":"Bench SAS","legal_form":"SAS",' ..
    '"creation_date":"2012-05-04","headcount":12,"revenue_cents":100000000},' ..
    '"requested_amount_cents":5000000,"amortization_years":4,"contact_email":"bench@example.fr"}',
    siren)
  return wrk.format("POST", "/api/v1/loan-requests",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
