import Foundation
import Isolation

/// The pymemcheck executable built beside the test bundle, run as a user runs it.
public enum PyMemCheckProcess {
    /// Runs `pymemcheck ARGS` and returns how it ended (no Swift backtrace on a crash: the
    /// tests read what a user reads).
    public static func run(
        _ arguments: [String], timeout: Double = 600, environment extra: [String: String] = [:]
    ) throws -> ChildOutcome {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        environment.merge(extra) { _, new in new }
        return try ChildProcess.run(
            executable: try SelfExecutable.path(), arguments: arguments, environment: environment, timeout: timeout)
    }
}
