/// The bounds every policy decision runs under. Each decision gets a fresh Lua state, so the limits apply per
/// decision (loading the policy's top level included).
public struct PolicyLimits: Sendable, Hashable {
    /// The most memory the Lua state may hold, in bytes; an allocation beyond it fails (`memoryLimit`).
    public var memoryBytes: Int
    /// The most Lua VM instructions a decision may run (`instructionLimit`).
    public var instructions: Int
    /// The longest a decision may take (`timeLimit`); checked together with the instruction budget.
    public var timeLimit: Duration
    /// How many instructions run between two checks of the budget and the clock.
    public var checkInterval: Int
    /// The most `baton.log`/`print` lines kept per decision; later lines are counted, not kept.
    public var maxLogLines: Int
    /// Longer log lines and reasons are cut to this many bytes.
    public var maxTextBytes: Int

    public init(
        memoryBytes: Int = 64 << 20, instructions: Int = 10_000_000, timeLimit: Duration = .seconds(1),
        checkInterval: Int = 1000, maxLogLines: Int = 100, maxTextBytes: Int = 1024
    ) {
        self.memoryBytes = memoryBytes
        self.instructions = instructions
        self.timeLimit = timeLimit
        self.checkInterval = checkInterval
        self.maxLogLines = maxLogLines
        self.maxTextBytes = maxTextBytes
    }
}
