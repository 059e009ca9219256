-- avoid-lagging-replicas: exclude candidates that are too far behind, whose lag is unknown, or that are
-- deliberately delayed; veto the recovery when no candidate is left. Survivors keep Baton's built-in order.

-- The most a candidate may lag (Seconds_Behind_Master), in seconds.
local MAX_LAG_SECONDS = 30

function rank(failed, candidates, context)
  local order, reasons = {}, {}
  for _, candidate in ipairs(candidates) do
    local key, lag = candidate.key, candidate.lag_seconds
    if lag == nil then
      reasons[key] = "excluded: replication lag unknown"
    elseif candidate.sql_delay > 0 then
      reasons[key] = string.format("excluded: delayed replica (SQL_Delay %d s)", candidate.sql_delay)
    elseif lag > MAX_LAG_SECONDS then
      reasons[key] = string.format("excluded: %d s behind (limit %d s)", lag, MAX_LAG_SECONDS)
    else
      order[#order + 1] = key
      reasons[key] = string.format("%d s behind (limit %d s)", lag, MAX_LAG_SECONDS)
    end
  end
  if #order == 0 then
    return nil, string.format("no candidate is within %d s of replication lag", MAX_LAG_SECONDS)
  end
  return order, reasons
end
