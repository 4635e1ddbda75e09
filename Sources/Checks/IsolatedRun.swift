import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// The parent side of isolation: runs a named scenario in a fresh child process of pymemcheck
/// itself, for a target and mode, and returns how it ended and what it printed. Every
/// expected-fatal check goes through here. A scenario is one request to one child: its death
/// is often the point, so there is no pool and nothing to hand to another child.
public enum IsolatedRun {
    public static let defaultTimeout: Double = 60

    public static func run(
        _ scenario: Scenario, target: PythonTarget?, mode: AllocatorMode = .default,
        timeout: Double = defaultTimeout, control: Bool = false
    ) throws -> ChildOutcome {
        let request = Scenario.Request(scenario: scenario, target: target?.libraryPath, mode: mode, control: control)
        let command = (target?.launcher ?? .direct).command(try SelfExecutable.path(), [Scenario.subcommand])
        return try ChildProcess.run(
            executable: command.executable, arguments: command.arguments,
            environment: childEnvironment(), input: WorkerChannel.line(request),
            timeout: timeout)
    }

    /// The environment of every child (see ChildProcess.cleanEnvironment).
    public static func childEnvironment() -> [String: String] { ChildProcess.cleanEnvironment() }

    /// The scenario's answer, decoded; nil when it gave none.
    public static func result<T: Codable>(_ type: T.Type, from outcome: ChildOutcome) -> T? {
        let messages = WorkerChannel.messages(WorkerMessage<T>.self, in: outcome.stdout)
        for case .answer(_, let response) in messages.reversed() { return response }
        return nil
    }
}
