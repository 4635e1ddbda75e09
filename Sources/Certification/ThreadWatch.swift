import Foundation
import Isolation
import PyRuntime
import Results
import Vocabulary

/// The plugin's functions from several threads in a process of their own (pymemcheck-threads,
/// C, no Python and no Swift runtime in it): first natively, for crashes, blocks handed out
/// twice and each edge as the very first allocator call of a fresh thread; then under
/// valgrind's DRD, which names every access to shared memory that no lock, barrier or thread
/// start orders before another thread's. DRD judges the order the code imposes, not the order
/// the threads happened to run in: a race is found in every run, idle machine or loaded.
///
/// Up to 3.11 the GIL serialises MEM and OBJ, and the driver holds one lock around those calls
/// (`--gil`); from 3.12 interpreters with their own GIL call every domain at once, and so does
/// the driver. RAW is called without any lock on every version.
public final class ThreadWatch: Sendable {
    public static let threads = 4
    /// Rounds natively, and watched (DRD runs the code some fifty times slower).
    public static let rounds = 40
    public static let watchedRounds = 12

    let pluginPath: String
    let driver: String
    private let results = Locked<[Bool: CertifyItem]>([:])

    /// `executable`: pymemcheck's own path; the driver is built beside it.
    public init(pluginPath: String, executable: String) {
        self.pluginPath = pluginPath
        driver =
            URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(Self.driverName)
            .path
    }

    public static let driverName = "pymemcheck-threads"

    /// Whether MEM and OBJ are serialised by the GIL on this version.
    public static func gilSerialises(_ version: PythonVersion) -> Bool { version < PythonVersion(3, 12) }

    /// The part's item for a target of `version` (computed once per GIL rule: the driver does
    /// not load the target, so every target of the rule gets the same answer).
    public func item(for version: PythonVersion) -> CertifyItem {
        let gil = Self.gilSerialises(version)
        return results.withLock { results in
            if let known = results[gil] { return known }
            let item = run(gil: gil)
            results[gil] = item
            return item
        }
    }

    func run(gil: Bool) -> CertifyItem {
        let name = CertifyProbe.Part.threadsWatched.name
        guard FileManager.default.isExecutableFile(atPath: driver) else {
            return CertifyItem(
                part: name, status: .fail,
                evidence: ["\(driver) is missing: build the package's products (swift build) beside pymemcheck"])
        }
        // DRD's findings first: they do not depend on how the threads ran, the native ones may.
        let problems = watched(gil: gil) + native(gil: gil)
        let rule =
            gil
            ? "MEM and OBJ under one lock standing for the GIL, as 3.11 and earlier call them"
            : "every domain without a lock, as interpreters with their own GIL call them (3.12+)"
        if problems.isEmpty {
            return CertifyItem(
                part: name, status: .pass,
                evidence: [
                    "each edge as the first allocator call of a fresh thread; \(Self.threads) threads released "
                        + "together round by round, blocks freed by another thread than their own; natively "
                        + "\(Self.rounds) rounds, then \(Self.watchedRounds) watched by valgrind's DRD: no race",
                    rule,
                ])
        }
        // Six lines, as a text report shows them: the rule, three problems, how many more, the
        // command that shows them all.
        let shown = Array(problems.prefix(3)) + (problems.count > 3 ? ["… and \(problems.count - 3) more"] : [])
        return CertifyItem(
            part: name, status: .fail, evidence: [rule] + shown + ["watch it yourself: " + command(gil: gil)],
            detectedBy: ["thread-safe"])
    }

    /// The DRD command line a plugin author can run.
    func command(gil: Bool) -> String {
        ReproduceCommand.shell(["valgrind", "--tool=drd"] + driverArguments(gil: gil, watched: true))
    }

    func driverArguments(gil: Bool, watched: Bool) -> [String] {
        [driver, pluginPath, "--threads", String(Self.threads)]
            + (watched
                ? ["--rounds", String(Self.watchedRounds), "--part", "concurrent"]
                : ["--rounds", String(Self.rounds)])
            + (gil ? ["--gil"] : [])
    }

    /// Natively: the driver's own findings, or how it ended.
    func native(gil: Bool) -> [String] {
        do {
            let outcome = try ChildProcess.run(
                executable: driver, arguments: Array(driverArguments(gil: gil, watched: false).dropFirst()),
                environment: ChildProcess.cleanEnvironment(), timeout: 60, silenceLimit: 30)
            let found = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("problem: ") }
                .map { String($0.dropFirst("problem: ".count)) }
            if outcome.timedOut {
                return found + ["the threads hung (killed after \(Int(outcome.seconds)) s): a deadlock in the plugin?"]
            }
            if outcome.signal != nil {
                // The edge it was running, if it crashed in one: the driver says each before it.
                let edge =
                    outcome.stdout.split(separator: "\n").last { $0.hasPrefix("edge: ") }
                    .map { " in " + $0.dropFirst("edge: ".count) } ?? ""
                return found + ["the threads \(outcome.summary)\(edge)" + WorkerFailure.colonTail(outcome, lines: 2)]
            }
            if outcome.exitStatus == 2 { return ["the driver refused the plugin: " + outcome.stderr.trimmed] }
            return found
        } catch {
            return ["could not start \(driver): \(error)"]
        }
    }

    /// Under DRD: each access of the plugin's that races with another thread's, once per place.
    func watched(gil: Bool) -> [String] {
        guard let valgrind = Self.findInPath("valgrind") else {
            return ["valgrind is not installed, so the threads could not be watched: apt-get install valgrind"]
        }
        let xml = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pymemcheck-drd-\(getpid())-\(gil).xml")
        defer { try? FileManager.default.removeItem(at: xml) }
        do {
            let outcome = try ChildProcess.run(
                executable: valgrind,
                arguments: ["--tool=drd", "-q", "--xml=yes", "--xml-file=\(xml.path)"]
                    + driverArguments(gil: gil, watched: true),
                environment: ChildProcess.cleanEnvironment(), timeout: 300, silenceLimit: 120)
            if outcome.timedOut {
                return [
                    "under DRD the threads hung (killed after \(Int(outcome.seconds)) s): a deadlock in the plugin?"
                ]
            }
            let report = (try? String(contentsOf: xml, encoding: .utf8)) ?? ""
            // A report DRD did not finish is no verdict: valgrind gave up (on debug information
            // it cannot read, say) and said why on standard error.
            guard report.contains("</valgrindoutput>") else {
                let why = outcome.stderr.split(separator: "\n").filter { !$0.hasPrefix("###") }.suffix(3)
                    .joined(separator: " / ")
                return [
                    "valgrind could not watch the threads (\(outcome.summary)): \(why); a plugin built by "
                        + "clang with -g may need -gdwarf-4"
                ]
            }
            let races = DRDReport.parse(report, plugin: pluginPath).map(\.description)
            if outcome.signal != nil || outcome.exitStatus == 2 {
                return races + ["under DRD the driver \(outcome.summary)" + WorkerFailure.colonTail(outcome, lines: 2)]
            }
            return races
        } catch {
            return ["could not start valgrind: \(error)"]
        }
    }

    static func findInPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
