-- avoid-lagging-replicas: exclude candidates that are known to be too far behind, or that are deliberately
-- delayed; veto the recovery when no candidate is left. Survivors keep Baton's built-in order.
--
-- When a primary dies its replicas lose their IO thread and report no lag (Seconds_Behind_Master is NULL, so
-- lag_seconds is nil): that is expected at failover, and Baton's built-in ranking already puts the replicas with
-- the most advanced GTID position first. Only a lag that is known and too high excludes a candidate.

-- The most a candidate may lag (Seconds_Behind_Master), in seconds.
local MAX_LAG_SECONDS = 30

function rank(failed, candidates, context)
  local order, reasons = {}, {}
  for _, candidate in ipairs(candidates) do
    local key, lag = candidate.key, candidate.lag_seconds
    if candidate.sql_delay > 0 then
      reasons[key] = string.format("excluded: delayed replica (SQL_Delay %d s)", candidate.sql_delay)
    elseif lag ~= nil and lag > MAX_LAG_SECONDS then
      reasons[key] = string.format("excluded: %d s behind (limit %d s)", lag, MAX_LAG_SECONDS)
    elseif lag == nil then
      order[#order + 1] = key
      reasons[key] = "lag unknown (its source is down): its GTID position decides"
    else
      order[#order + 1] = key
      reasons[key] = string.format("%d s behind (limit %d s)", lag, MAX_LAG_SECONDS)
    end
  end
  if #order == 0 then
    return nil, string.format("no candidate is within %d s of replication lag, undelayed", MAX_LAG_SECONDS)
  end
  return order, reasons
end
