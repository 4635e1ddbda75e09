import AllocatorLayers
import Foundation
import Isolation
import OpLanguage
import Oracle
import PyRuntime
import Results
import Vocabulary

/// Replaying inputs (corpus files, findings) outside libFuzzer with the same per-input code:
/// a worker process per (target, mode) runs the files it reads on standard input; a worker the
/// input crashes costs that file, and a fresh worker takes the rest.
public enum Replay {
    public static let subcommand = "replay-worker"

    /// Everything a replay worker runs with.
    public struct Setup: Codable, Sendable {
        /// The target's library path.
        public var target: String
        public var mode: AllocatorMode
        /// The fuzz target every file runs under (nil: each file's own, see `fuzzTarget(of:)`).
        public var fuzzTarget: FuzzTarget?
        public var mutant: MutantKind?
        /// A custom allocator plugin installed as certify does (a path, or mutant:NAME).
        public var plugin: String?
    }

    public typealias Request = WorkerRequest<Setup, String>

    /// Which fuzz target a file belongs to: a `# target: NAME` line, else the folder it is in
    /// (Corpus/fuzz-violations/...), else fuzz-sequences.
    public static func fuzzTarget(of path: String, bytes: [UInt8]?, default fallback: FuzzTarget?) -> FuzzTarget {
        if let fallback { return fallback }
        if let text = bytes.flatMap({ String(validating: $0, as: UTF8.self) }) {
            for line in text.split(separator: "\n").prefix(5) {
                let words = line.split(separator: " ")
                if words.count >= 3, words[0] == "#", words[1] == "target:",
                    let target = FuzzTarget(rawValue: String(words[2]))
                {
                    return target
                }
            }
        }
        let parts = path.split(separator: "/").map(String.init)
        return parts.compactMap(FuzzTarget.init(rawValue:)).last ?? .sequences
    }

    /// Every file under the paths given (folders recursively), documentation left out. Each is
    /// checked here, before any worker runs: a FIFO, a device or a huge file is one line now,
    /// not a worker that hangs on it.
    public static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            guard InputFile.kind(path) == .folder else {
                try InputFile.check(path, as: .opInput)
                files.append(path)
                continue
            }
            let entries = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
            for entry in entries.sorted() where !entry.hasSuffix(".md") && !entry.hasPrefix(".") {
                let full = "\(path)/\(entry)"
                guard InputFile.kind(full) != .folder else { continue }
                try InputFile.check(full, as: .opInput)
                files.append(full)
            }
        }
        return files
    }

    // MARK: worker side

    /// The work per file. The target starts with the first file, under its fuzz target, as
    /// in a fuzz binary; a crash while it starts is that file's.
    public static func prepare(_ setup: Setup) throws -> (String) throws -> ReplayEntry {
        let target = try TargetSpec.resolve(setup.target)
        var runner: ProgramRunner?
        return { file in
            let bytes = Swift.Result { try InputFile.read(file, as: .opInput) }
            let fuzzTarget = fuzzTarget(of: file, bytes: try? bytes.get(), default: setup.fuzzTarget)
            if runner == nil {
                let plugin = try setup.plugin.map(AllocatorPlugin.load)
                let options = FuzzSession.Options(
                    target: target, mode: setup.mode, mutant: setup.mutant,
                    hostile: fuzzTarget.hostile, plugin: plugin)
                runner = ProgramRunner(session: try FuzzSession.start(options))
            }
            var result = ReplayEntry(
                file: file, fuzzTarget: fuzzTarget.rawValue, target: "", mode: "", outcome: .conforms)
            do {
                let verdict = fuzzTarget.run(try OpInput.load(bytes: try bytes.get(), path: file), with: runner!)
                result.verdict = verdict
                result.outcome = verdict.conforms ? .conforms : .finding
            } catch {
                result.outcome = .unreadable
                result.detail = "\(error)"
            }
            return result
        }
    }

    // MARK: parent side

    /// Replays `files` on `target` in `mode`, through worker processes of `executable`.
    public static func run(
        files: [String], target: PythonTarget, mode: AllocatorMode, fuzzTarget: FuzzTarget?,
        mutant: MutantKind?, plugin: String? = nil, executable: String
    ) -> [ReplayEntry] {
        let setup = Setup(
            target: target.libraryPath, mode: mode, fuzzTarget: fuzzTarget, mutant: mutant,
            plugin: plugin)
        // The environment as it is (PYTHON* included: the corpus runs as a fuzz binary would).
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let pool = WorkerPool<Setup, String, ReplayEntry>(
            subcommand: subcommand, setup: setup, executable: executable, launcher: target.launcher,
            environment: environment, timeout: { 60 + 10 * Double($0) },
            silenceLimit: 60)
        return zip(files, pool.run(files)).map { file, outcome in
            // The file's fuzz target as the worker reads it, for a file whose worker never answered.
            let bytes = try? InputFile.read(file, as: .opInput)
            let named = Replay.fuzzTarget(of: file, bytes: bytes, default: fuzzTarget).rawValue
            var result = ReplayEntry(
                file: file, fuzzTarget: named, target: target.id, mode: mode.name, outcome: .crashed)
            switch outcome {
            case .answered(let answer):
                result = answer
                result.target = target.id
                result.mode = mode.name
            case .charged(let child):
                result.detail = "on this input the target \(child.summary)" + WorkerFailure.colonTail(child, lines: 3)
                result.signal = child.signal
            case .notRun(.cannotStart(let error)):
                result.detail = "could not start a worker: \(error)"
            case .notRun(.refused(let error)):
                result.outcome = .workerFailed
                result.detail = "the worker could not start the target: \(error)"
            case .notRun(.died(let child, _)):
                result.outcome = .workerFailed
                result.detail = "the worker \(child.summary)" + WorkerFailure.colonTail(child, lines: 2)
            }
            return judged(result, mutant: mutant)
        }
    }

    /// Names what in a result is a detection of the planted mutant, if anything is.
    static func judged(_ result: ReplayEntry, mutant: MutantKind?) -> ReplayEntry {
        guard let mutant, result.outcome == .finding || result.outcome == .crashed else { return result }
        var result = result
        result.detectedBy = mutant.detection(in: result.verdict?.findings ?? [], signal: result.signal)
        return result
    }
}

extension ReplayEntry {
    public var isFailure: Bool { outcome.isFailure }

    /// The entry for a target and mode that cannot be run together.
    public static func notApplicable(target: String, mode: String, reason: String) -> Self {
        Self(file: "", fuzzTarget: "", target: target, mode: mode, outcome: .notApplicable, detail: reason)
    }

    /// The invariants the findings name.
    public var invariants: [Invariant] { verdict?.findings.map(\.invariant) ?? [] }
}
