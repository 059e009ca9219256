import BatonTestSupport

/// A command's bytes for test number `n` (see `RecordingApplication.command`).
func command(_ n: Int, size: Int = 0) -> [UInt8] { RecordingApplication.command(n, size: size) }
