-- maintenance-window-veto: a business rule. Some clusters must never fail over automatically, and others not
-- during their weekly maintenance window, when people are working on them and a failover would surprise them.
-- Times are UTC and come from context.utc / context.now: a policy never reads the clock itself.

-- Clusters (by cluster name) that are only ever failed over by hand.
local MANUAL_ONLY = {
  ["legacy-db:3306"] = "legacy cluster: failovers are done by hand",
}

-- Weekly windows per cluster: weekday 1 = Monday ... 7 = Sunday, from/to as "HH:MM" (to is exclusive).
local WINDOWS = {
  ["main-db:3306"] = {
    { weekday = 7, from = "02:00", to = "04:00" }, -- Sunday night patching
  },
}

local function minutes(hhmm)
  local hours, mins = string.match(hhmm, "^(%d%d):(%d%d)$")
  return tonumber(hours) * 60 + tonumber(mins)
end

-- The window of `cluster` that contains the moment `utc`, or nil.
local function active_window(cluster, utc)
  local now = utc.hour * 60 + utc.minute
  for _, window in ipairs(WINDOWS[cluster] or {}) do
    if window.weekday == utc.weekday and now >= minutes(window.from) and now < minutes(window.to) then
      return window
    end
  end
  return nil
end

function filter(analysis)
  local reason = MANUAL_ONLY[analysis.cluster]
  if reason then return false, reason end
  return true
end

function rank(failed, candidates, context)
  local window = active_window(context.cluster, context.utc)
  if window then
    return nil, string.format("maintenance window of %s (weekday %d, %s-%s UTC) at %s",
      context.cluster, window.weekday, window.from, window.to, context.now_iso)
  end
  local order = {}
  for _, candidate in ipairs(candidates) do order[#order + 1] = candidate.key end
  return order
end

-- Checked again just before the failover: the window may have started since the candidate was chosen.
function pre_failover(failed, candidate, context)
  if active_window(context.cluster, context.utc) then
    return false, "maintenance window started at " .. context.now_iso
  end
  return true
end
