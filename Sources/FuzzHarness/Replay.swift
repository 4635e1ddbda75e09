import AllocatorLayers
import Foundation
import Isolation
import OpLanguage
import Oracle
import PyRuntime

/// Replaying inputs (corpus files, findings) outside libFuzzer with the same per-input code:
/// a worker process per (target, mode) runs the files it reads on standard input; a worker the
/// input crashes costs that file, and a fresh worker takes the rest.
public enum Replay {
    public struct Result: Sendable, Codable {
        public var file: String
        public var fuzzTarget: String
        public var target: String
        public var mode: String
        /// conforms, finding, crashed (the input ended the worker), worker-failed (no worker
        /// could start: nothing is known of the input), unreadable, not-applicable (the target
        /// cannot run the mode: no file was run, `detail` says why)
        public var outcome: String
        public var verdict: Verdict?
        public var detail: String?
        /// The signal that ended the worker on this input (outcome crashed), if one did.
        public var signal: Int32?
        /// With a planted mutant: what in this result is a detection of its defect ("invariant
        /// NAME", "crash SIGNAME"); nil when nothing is (a finding or crash not tied to it).
        public var detectedBy: String?

        public var isFailure: Bool { outcome != "conforms" && outcome != "not-applicable" }

        /// The entry for a target and mode that cannot be run together.
        public static func notApplicable(target: String, mode: String, reason: String) -> Result {
            Result(file: "", fuzzTarget: "", target: target, mode: mode, outcome: "not-applicable", detail: reason)
        }
        /// The invariants the findings name.
        public var invariants: [Invariant] { verdict?.findings.map(\.invariant) ?? [] }
    }

    static let marker = "PYMEMCHECK-REPLAY "
    static let startMarker = "PYMEMCHECK-REPLAY-START "

    /// Which fuzz target a file belongs to: a `# target: NAME` line, else the folder it is in
    /// (Corpus/fuzz-violations/...), else fuzz-sequences.
    public static func fuzzTarget(of path: String, default fallback: FuzzTarget?) -> FuzzTarget {
        if let fallback { return fallback }
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in text.split(separator: "\n").prefix(5) {
                let words = line.split(separator: " ")
                if words.count >= 3, words[0] == "#", words[1] == "target:", let target = FuzzTarget(rawValue: String(words[2])) {
                    return target
                }
            }
        }
        let parts = path.split(separator: "/").map(String.init)
        return parts.compactMap(FuzzTarget.init(rawValue:)).last ?? .sequences
    }

    /// Every file under the paths given (folders recursively), documentation left out.
    public static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw PyMemCheckError.usage("\(path): no such file or folder")
            }
            if !isFolder.boolValue { files.append(path); continue }
            let entries = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
            for entry in entries.sorted() where !entry.hasSuffix(".md") && !entry.hasPrefix(".") {
                var nested: ObjCBool = false
                let full = "\(path)/\(entry)"
                if FileManager.default.fileExists(atPath: full, isDirectory: &nested), !nested.boolValue { files.append(full) }
            }
        }
        return files
    }

    // MARK: worker side

    /// Runs each file read on standard input and prints one result line per file.
    public static func serve(fuzzTarget fixed: FuzzTarget?) {
        while let line = readLine() {
            let file = line.trimmingCharacters(in: .whitespaces)
            guard !file.isEmpty else { continue }
            print(startMarker + file)
            fflush(nil)
            let target = fuzzTarget(of: file, default: fixed)
            var result = Result(file: file, fuzzTarget: target.rawValue, target: "", mode: "", outcome: "conforms")
            do {
                let program = try OpInput.load(path: file)
                let verdict = target.run(program, with: FuzzEntry.runner(for: target))
                result.verdict = verdict
                result.outcome = verdict.conforms ? "conforms" : "finding"
            } catch {
                result.outcome = "unreadable"
                result.detail = "\(error)"
            }
            if let json = try? JSONEncoder().encode(result) { print(marker + String(decoding: json, as: UTF8.self)) }
            fflush(nil)
        }
    }

    // MARK: parent side

    /// Replays `files` on `target` in `mode`, through worker processes of `executable`.
    public static func run(files: [String], target: PythonTarget, mode: AllocatorMode, fuzzTarget: FuzzTarget?,
                           mutant: MutantKind?, plugin: String? = nil, executable: String) -> [Result] {
        var results: [String: Result] = [:]
        var pending = files
        while !pending.isEmpty {
            var arguments = ["replay-worker", "--python", target.libraryPath, "--mode", mode.name]
            if let fuzzTarget { arguments += ["--fuzz-target", fuzzTarget.rawValue] }
            var environment = ProcessInfo.processInfo.environment
            environment["SWIFT_BACKTRACE"] = "enable=no"
            environment["PYMEMCHECK_MUTANT"] = mutant?.rawValue ?? ""
            environment["PYMEMCHECK_PLUGIN"] = plugin ?? ""
            let outcome: ChildOutcome
            do {
                outcome = try ChildProcess.run(executable: executable, arguments: arguments, environment: environment,
                                               input: pending.joined(separator: "\n") + "\n",
                                               timeout: 60 + 10 * Double(pending.count), silenceLimit: 60)
            } catch {
                return files.map { Result(file: $0, fuzzTarget: "", target: target.id, mode: mode.name, outcome: "crashed", detail: "could not start a worker: \(error)") }
            }
            let (answered, crashedOn) = read(outcome, target: target, mode: mode)
            answered.forEach { results[$0.file] = $0 }
            if let crashedOn, results[crashedOn] == nil {
                let last = outcome.stderr.split(separator: "\n").suffix(3).joined(separator: " | ")
                results[crashedOn] = Result(file: crashedOn, fuzzTarget: "", target: target.id, mode: mode.name, outcome: "crashed",
                                            detail: "the target \(outcome.summary) on this input: \(last)", signal: outcome.signal)
            }
            let before = pending.count
            pending.removeAll { results[$0] != nil }
            if pending.count == before {  // the worker answered nothing: it cannot start
                let last = outcome.stderr.split(separator: "\n").suffix(2).joined(separator: " | ")
                pending.forEach { results[$0] = Result(file: $0, fuzzTarget: "", target: target.id, mode: mode.name, outcome: "worker-failed", detail: "the worker \(outcome.summary): \(last)") }
                pending.removeAll()
            }
        }
        return files.compactMap { results[$0] }.map { judged($0, mutant: mutant) }
    }

    /// Names what in a result is a detection of the planted mutant, if anything is.
    static func judged(_ result: Result, mutant: MutantKind?) -> Result {
        guard let mutant, result.outcome == "finding" || result.outcome == "crashed" else { return result }
        var result = result
        result.detectedBy = mutant.detection(in: result.verdict?.findings ?? [], signal: result.signal)
        return result
    }

    static func read(_ outcome: ChildOutcome, target: PythonTarget, mode: AllocatorMode) -> ([Result], String?) {
        var answered: [Result] = []
        var current: String?
        for line in outcome.stdout.split(separator: "\n") {
            if line.hasPrefix(startMarker) {
                current = String(line.dropFirst(startMarker.count))
            } else if line.hasPrefix(marker), var result = try? JSONDecoder().decode(Result.self, from: Data(line.dropFirst(marker.count).utf8)) {
                result.target = target.id
                result.mode = mode.name
                answered.append(result)
                current = nil
            }
        }
        return (answered, current)
    }
}
