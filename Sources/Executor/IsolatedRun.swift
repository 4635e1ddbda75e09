import Foundation
import Isolation
import PyRuntime

/// The parent side of isolation: runs a named scenario in a fresh child process of pymemcheck
/// itself, for a target and mode, and returns how it ended and what it printed. Every
/// expected-fatal check goes through here.
public enum IsolatedRun {
    public static let defaultTimeout: Double = 60

    public static func run(_ scenario: Scenario, target: PythonTarget?, mode: AllocatorMode = .default,
                           timeout: Double = defaultTimeout, extraArguments: [String] = []) throws -> ChildOutcome {
        var arguments = ["scenario", scenario.rawValue, "--mode", mode.name] + extraArguments
        if let target { arguments += ["--python", target.libraryPath] }
        return try ChildProcess.run(executable: try SelfExecutable.path(), arguments: arguments,
                                    environment: childEnvironment(), timeout: timeout)
    }

    /// The child's environment, stated: no Swift backtracer (its report would bury CPython's),
    /// and no PYTHON* variable at all: PYTHONMALLOC*, PYTHONDEVMODE and PYTHONTRACEMALLOC would
    /// change the allocators behind the mode's back, PYTHONOPTIMIZE would switch off the
    /// asserts the tracemalloc checks run, PYTHONHOME/PYTHONPATH would give a target another's
    /// standard library. A check that needs one sets it itself.
    public static func childEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PYTHON") }
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return environment
    }

    /// The JSON a scenario printed after the result marker, decoded; nil when there is none.
    public static func result<T: Decodable>(_ type: T.Type, from outcome: ChildOutcome) -> T? {
        guard let line = outcome.stdout.split(separator: "\n").last(where: { $0.hasPrefix(scenarioResultMarker) }) else {
            return nil
        }
        return try? JSONDecoder().decode(T.self, from: Data(line.dropFirst(scenarioResultMarker.count).utf8))
    }
}
