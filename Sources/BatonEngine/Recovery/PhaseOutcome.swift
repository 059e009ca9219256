/// How a phase of a recovery ended: the recovery goes on with what the phase produced, or stops for a reason (the
/// recovery is then resolved as not attempted).
enum PhaseOutcome<Value> {
    case proceed(Value)
    case abandon(reason: String)
}
