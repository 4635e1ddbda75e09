import Isolation

/// A short call of the isolation primitive for checks that run a target's own python.
enum ChildProcessRunner {
    static func run(_ executable: String, _ arguments: [String], _ environment: [String: String]) throws -> ChildOutcome {
        try ChildProcess.run(executable: executable, arguments: arguments, environment: environment, timeout: 60)
    }
}
