import Foundation

/// Warm worker processes over a list of items. One worker (a hidden subcommand of pymemcheck)
/// takes the setup and every item at once and answers them in order. A worker that crashes or
/// hangs on an item costs that item alone: a fresh worker takes the rest. One that dies while
/// setting up, or says it cannot, would do the same again: the rest are not run, and why is
/// said once.
public struct WorkerPool<Setup: Codable & Sendable, Item: Codable & Sendable, Response: Codable & Sendable>: Sendable {
    /// The subcommand that serves the protocol (`worker`, `replay-worker`, ...).
    public var subcommand: String
    public var setup: Setup
    public var executable: String?
    /// How the workers are started: through the target's own C library's loader when it has one.
    public var launcher: Launcher
    public var environment: [String: String]
    /// The time limit of one worker given this many items.
    public var timeout: @Sendable (Int) -> Double
    /// How long a worker may write nothing before it counts as hung.
    public var silenceLimit: Double

    public init(
        subcommand: String, setup: Setup, executable: String? = nil, launcher: Launcher = .direct,
        environment: [String: String] = ChildProcess.cleanEnvironment(),
        timeout: @escaping @Sendable (Int) -> Double, silenceLimit: Double
    ) {
        self.subcommand = subcommand
        self.setup = setup
        self.executable = executable
        self.launcher = launcher
        self.environment = environment
        self.timeout = timeout
        self.silenceLimit = silenceLimit
    }

    /// What became of one item.
    public enum Outcome: Sendable {
        case answered(Response)
        /// The worker died or hung while on this item (its outcome says how).
        case charged(ChildOutcome)
        /// No worker ran it, for the reason every item left over shares.
        case notRun(WorkerFailure)
    }

    /// One outcome per item, in the items' order.
    public func run(_ items: [Item]) -> [Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: items.count)
        var pending = Array(items.indices)
        while !pending.isEmpty {
            let batch = pending
            let failure = runWorker(on: batch, items: items, outcomes: &outcomes)
            pending = batch.filter { outcomes[$0] == nil }
            if let failure {
                for index in pending { outcomes[index] = .notRun(failure) }
                pending = []
            }
        }
        return outcomes.map { $0! }
    }

    /// One worker over `batch`: records what it answered and the item it died on, if any; the
    /// failure that stops the pool, if one does.
    private func runWorker(on batch: [Int], items: [Item], outcomes: inout [Outcome?]) -> WorkerFailure? {
        let request = [WorkerRequest<Setup, Item>.setup(setup)] + batch.map { .item(items[$0]) }
        let child: ChildOutcome
        do {
            let command = launcher.command(try executable ?? SelfExecutable.path(), [subcommand])
            child = try ChildProcess.run(
                executable: command.executable, arguments: command.arguments,
                environment: environment, input: request.map(WorkerChannel.line).joined(),
                timeout: timeout(batch.count), silenceLimit: silenceLimit)
        } catch {
            return .cannotStart("\(error)")
        }
        var current: Int?
        var step: String?
        var answered = 0
        for message in WorkerChannel.messages(WorkerMessage<Response>.self, in: child.stdout) {
            switch message {
            case .preparing(let text): step = text
            case .ready: step = nil
            case .started(let index):
                current = index
                step = nil
            case .answer(let index, let response):
                guard batch.indices.contains(index) else { continue }
                outcomes[batch[index]] = .answered(response)
                answered += 1
                current = nil
                step = nil
            case .unavailable(let text): return .refused(text)
            }
        }
        if let step { return .died(child, step: step) }
        if let current, batch.indices.contains(current) {
            outcomes[batch[current]] = .charged(child)
            return nil
        }
        // Died (or ended) before any item: every one is said to be lost, none silently.
        return answered == 0 ? .died(child, step: nil) : nil
    }

}

/// Why the items left over were not run.
public enum WorkerFailure: Sendable {
    /// No worker process could be started.
    case cannotStart(String)
    /// The worker said it cannot set up (the target does not start in the mode, ...).
    case refused(String)
    /// The worker died or hung while setting up (`step`: what it was doing, as it said), or
    /// before taking any item.
    case died(ChildOutcome, step: String?)

    /// The lines of the worker's standard error that say most: CPython's "Fatal Python error"
    /// line where there is one (the thread dump after it names no cause), else the last lines.
    public static func tail(_ outcome: ChildOutcome, lines: Int) -> String {
        let all = outcome.diagnosticLines
        if let fatal = all.lastIndex(where: { $0.hasPrefix("Fatal Python error") }) {
            return all[fatal...].prefix { !$0.hasPrefix("Current thread") && !$0.hasPrefix("Thread 0x") }
                .prefix(lines).joined(separator: " | ")
        }
        return all.suffix(lines).joined(separator: " | ")
    }

    /// ": " and the tail, or nothing when the worker wrote nothing on standard error.
    public static func colonTail(_ outcome: ChildOutcome, lines: Int) -> String {
        let tail = tail(outcome, lines: lines)
        return tail.isEmpty ? "" : ": " + tail
    }
}
