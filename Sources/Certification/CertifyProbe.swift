import AllocatorLayers
import Checks
import ClauseCatalogue
import Foundation
import FuzzHarness
import Isolation
import OpLanguage
import PyRuntime
import Results
import Vocabulary

/// The worker side of certify, in a process of its own per target and mode: the target starts
/// with the plugin, then each part runs in a forked child, so that a plugin that crashes the
/// process gives a failed part, not a lost run.
public enum CertifyProbe {
    public static let subcommand = "certify-worker"

    /// Everything a certify worker runs with.
    public struct Setup: Codable, Sendable {
        /// The target's library path.
        public var target: String
        public var mode: AllocatorMode
        public var plugin: String
        /// Seconds each fuzz target runs.
        public var fuzzSeconds: Double
    }

    /// The parts of a certification that are not clauses, in the order they run.
    public enum Part: Codable, Sendable, Equatable {
        case rawBeforeStartUp
        case directCalls
        case injectedFailures
        /// Run by certify itself, not a worker: the plugin in a process of its own (ThreadWatch).
        case threadsWatched
        case fuzz(FuzzTarget)

        public static let all: [Part] =
            [.rawBeforeStartUp, .directCalls, .injectedFailures, .threadsWatched]
            + FuzzTarget.allCases.map(Part.fuzz)

        public var name: String {
            switch self {
            case .rawBeforeStartUp: return "plugin's RAW functions before CPython starts"
            case .directCalls: return "plugin functions called directly"
            case .injectedFailures: return "failures injected under the plugin"
            case .threadsWatched: return "plugin functions from \(ThreadWatch.threads) threads, watched by DRD"
            case .fuzz(let target): return target.rawValue
            }
        }

        /// The name `certify --only` takes.
        public var id: String {
            switch self {
            case .rawBeforeStartUp: return "raw-before-start-up"
            case .directCalls: return "direct-calls"
            case .injectedFailures: return "injected-failures"
            case .threadsWatched: return "threads-watched"
            case .fuzz(let target): return target.rawValue
            }
        }

        func timeout(fuzzSeconds: Double) -> Double {
            switch self {
            case .rawBeforeStartUp, .directCalls: return 300
            case .injectedFailures: return 60
            case .threadsWatched: return 120
            case .fuzz: return fuzzSeconds + 60
            }
        }
    }

    public typealias Request = WorkerRequest<Setup, Part>

    /// The work per part. The RAW part runs before CPython starts; the target starts with the
    /// plugin at the first part that needs it (said as a set-up step: a crash there is the
    /// start-up's, and an error ends the worker with it).
    public static func prepare(_ setup: Setup) throws -> (Part) throws -> CertifyItem {
        let target = try TargetSpec.resolve(setup.target)
        var started: (plugin: AllocatorPlugin, session: FuzzSession, runner: ProgramRunner)?
        return { part in
            if part == .rawBeforeStartUp {
                return isolated(part, fuzzSeconds: setup.fuzzSeconds) {
                    rawBeforeStartUp(target, pluginPath: setup.plugin)
                }
            }
            if started == nil {
                WorkerService.preparing("starting the target with the plugin")
                let plugin = try AllocatorPlugin.load(setup.plugin)
                let session = try FuzzSession.start(.init(target: target, mode: setup.mode, plugin: plugin))
                started = (plugin, session, ProgramRunner(session: session))
                WorkerService.ready()
            }
            let (plugin, session, runner) = started!
            return isolated(part, fuzzSeconds: setup.fuzzSeconds) {
                run(part, plugin: plugin, session: session, runner: runner, fuzzSeconds: setup.fuzzSeconds)
            }
        }
    }

    static func rawBeforeStartUp(_ target: PythonTarget, pluginPath: String) -> CertifyItem {
        do {
            let plugin = try AllocatorPlugin.load(pluginPath)
            let library = try PythonLibrary(target: target)
            // No debug hooks: nothing of CPython's runs above the plugin here.
            try plugin.install(in: library, mode: .malloc, debugBuild: false)
            let problems = HookChecks.beforeStartUp(
                plugin, runtime: .notStarted(library, mode: .malloc), catalogue: try Catalogue.builtIn())
            let asked =
                "the RAW functions' direct contract (\(DirectContract.entries.count) clauses) from the main thread "
                + "and \(HookChecks.threads) threads at once, a 4 GiB calloc, a \(Workload.calls)-call workload"
            return CertifyItem(part: "", problems: problems, passing: [asked])
        } catch {
            return CertifyItem(part: "", status: .fail, evidence: ["\(error)"])
        }
    }

    static func run(
        _ part: Part, plugin: AllocatorPlugin, session: FuzzSession, runner: ProgramRunner,
        fuzzSeconds: Double
    ) -> CertifyItem {
        switch part {
        case .rawBeforeStartUp:
            return CertifyItem(part: "", status: .fail, evidence: ["the RAW part runs before start-up only"])
        case .threadsWatched:
            return CertifyItem(part: "", status: .fail, evidence: ["the watched threads are certify's own part"])
        case .directCalls:
            let catalogue: Catalogue
            do { catalogue = try Catalogue.builtIn() } catch {
                return CertifyItem(part: "", status: .fail, evidence: ["\(error)"])
            }
            let problems = HookChecks.run(plugin, runtime: session.runtime, catalogue: catalogue)
            let asked =
                "each domain's direct contract (\(DirectContract.entries.count) clauses: "
                + DirectContract.entries.map(\.suffix).joined(separator: ", ")
                + ") from the main thread, a new thread and \(HookChecks.threads) threads at once (RAW; every "
                + "domain from 3.12; MEM and OBJ holding the GIL), a 4 GiB calloc, and a \(Workload.calls)-call "
                + "mixed workload per domain"
            return CertifyItem(part: "", problems: problems, passing: [asked])
        case .injectedFailures:
            let (problems, reached) = InjectedFailureChecks.run(plugin)
            let note =
                reached
                ? []
                : [
                    "the plugin never called the allocator under it (a replacement): its failure "
                        + "paths are reached only through sizes that cannot be met"
                ]
            return CertifyItem(part: "", problems: problems, passing: [], notes: note)
        case .fuzz(let target):
            return FuzzLoop.run(target, runner: runner, seconds: fuzzSeconds)
        }
    }

    /// What a part's forked child tells the worker.
    enum PartMessage: Codable {
        /// The input the fuzz loop is about to run: a crash in it is laid at its door.
        case input(String)
        case item(CertifyItem)
    }

    /// Runs `body` in a forked child and reads its item back; a crash or hang fails the part.
    static func isolated(_ part: Part, fuzzSeconds: Double, _ body: () -> CertifyItem) -> CertifyItem {
        do {
            let outcome = try ForkedChild.run(timeout: part.timeout(fuzzSeconds: fuzzSeconds)) {
                var item = body()
                item.part = part.name
                WorkerChannel.send(PartMessage.item(item))
            }
            let messages = WorkerChannel.messages(PartMessage.self, in: outcome.stdout)
            for case .item(let item) in messages.reversed() { return item }
            let input = messages.compactMap { if case .input(let hex) = $0 { hex } else { nil } }.last
            let crash = outcome.signal.map { ["crash \(ChildOutcome.signalName($0))"] } ?? []
            let ended = outcome.signal == nil ? "ended" : "crashed"
            var evidence = [
                "the target \(ended) with the plugin in it: \(outcome.summary)"
                    + WorkerFailure.colonTail(outcome, lines: 2)
            ]
            if let input, let program = try? ByteForm.decode(Hex.bytes(input)) {
                evidence += ["on the input:"] + TextForm.render(program).split(separator: "\n").map { "  " + $0 }
            }
            var item = CertifyItem(part: part.name, status: .fail, evidence: evidence, detectedBy: crash)
            item.input = input
            return item
        } catch {
            return CertifyItem(part: part.name, status: .fail, evidence: ["could not isolate: \(error)"])
        }
    }
}

/// A fuzz target's per-input code on generated inputs for a while (no coverage guidance: the
/// same deterministic stream every time, so a failing input can be found again).
enum FuzzLoop {
    static func run(_ target: FuzzTarget, runner: ProgramRunner, seconds: Double) -> CertifyItem {
        var generator = ProgramGenerator(seed: 0x5EED_0000 &+ UInt64(FuzzTarget.allCases.firstIndex(of: target)!))
        let deadline = Date().addingTimeInterval(seconds)
        var count = 0
        while Date() < deadline {
            let bytes = generator.next(ops: 48, violations: target == .violations)
            guard let program = try? ByteForm.decode(bytes) else { continue }
            // Said before running: a crash in this input is laid at its door.
            WorkerChannel.send(CertifyProbe.PartMessage.input(Hex.string(bytes)))
            let verdict = target.run(program, with: runner)
            count += 1
            if !verdict.conforms {
                let found = verdict.findings.map {
                    $0.invariant == .noCrash
                        ? "crash \($0.signal.map(ChildOutcome.signalName) ?? "?")" : $0.invariant.rawValue
                }
                var item = CertifyItem(
                    part: "", status: .fail,
                    evidence: verdict.findings.map(\.description) + ["on the input:"]
                        + TextForm.render(program).split(separator: "\n").map { "  " + $0 },
                    detectedBy: found)
                item.input = Hex.string(bytes)
                return item
            }
        }
        return CertifyItem(part: "", status: .pass, evidence: ["\(count) inputs in \(Int(seconds)) s, no finding"])
    }
}

/// The byte form as the certificate carries it: two lowercase hex digits a byte.
public enum Hex {
    public static func string(_ bytes: [UInt8]) -> String {
        bytes.map { String($0 >> 4, radix: 16) + String($0 & 15, radix: 16) }.joined()
    }

    public static func bytes(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)
        }
    }
}

/// Deterministic inputs in the byte form.
struct ProgramGenerator {
    var random: XorShift64

    init(seed: UInt64) { random = XorShift64(seed: seed) }

    mutating func byte() -> UInt8 { random.nextByte() }

    /// The next 64-bit word of the stream; the workload draws from it too.
    mutating func word() -> UInt64 { random.next() }

    /// `ops` ops' worth of bytes; small sizes mostly (big ones cost time, not coverage).
    mutating func next(ops: Int, violations: Bool) -> [UInt8] {
        var bytes: [UInt8] = [ByteForm.version]
        for _ in 0..<(Int(byte()) % ops + 1) {
            let kind = violations && byte() % 8 == 0 ? 8 + byte() % 4 : byte() % 8
            bytes.append(kind | (byte() % 3) << 5)
            for _ in 0..<4 { bytes.append(byte() % 4 == 0 ? byte() : byte() % 64) }
        }
        return bytes
    }
}
