-- prefer-same-datacenter: promote a replica in the failed primary's data centre if there is one, then one in its
-- region, then any other. Within each group Baton's built-in order (most advanced, promotion rule, ...) is kept.
-- No candidate is excluded.

function rank(failed, candidates, context)
  local same_dc, same_region, elsewhere = {}, {}, {}
  local reasons = {}
  for _, candidate in ipairs(candidates) do
    local key = candidate.key
    if candidate.data_center ~= "" and candidate.data_center == failed.data_center then
      same_dc[#same_dc + 1] = key
      reasons[key] = "same data centre as the failed primary (" .. candidate.data_center .. ")"
    elseif candidate.region ~= "" and candidate.region == failed.region then
      same_region[#same_region + 1] = key
      reasons[key] = "same region as the failed primary (" .. candidate.region .. ")"
    else
      elsewhere[#elsewhere + 1] = key
      reasons[key] = "other data centre (" .. (candidate.data_center ~= "" and candidate.data_center or "unknown") .. ")"
    end
  end

  local order = {}
  for _, group in ipairs({ same_dc, same_region, elsewhere }) do
    for _, key in ipairs(group) do order[#order + 1] = key end
  end
  baton.log("info", string.format("%d candidate(s) in %s, %d in region %s, %d elsewhere",
    #same_dc, failed.data_center, #same_region, failed.region, #elsewhere))
  return order, reasons
end
