import AllocatorLayers
import ClauseCatalogue
import Executor
import Foundation
import FuzzHarness
import Isolation
import OpLanguage
import PyRuntime

/// The worker side of certify, in a process of its own per target and mode: the target starts
/// with the plugin, then each part runs in a forked child, so that a plugin that crashes the
/// process gives a failed part, not a lost run.
public enum CertifyProbe {
    static let marker = "PYMEMCHECK-CERTIFY "

    public static func serve(target: PythonTarget, mode: AllocatorMode, pluginPath: String, fuzzSeconds: Double) {
        emit(isolated("plugin's RAW functions before CPython starts", timeout: 300) {
            do {
                let plugin = try AllocatorPlugin.load(pluginPath)
                // No debug hooks: nothing of CPython's runs above the plugin here.
                try plugin.install(in: try PythonLibrary(target: target), mode: .malloc, debugBuild: false)
                let problems = HookChecks.beforeStartUp(plugin)
                return CertifyItem(part: "", status: problems.isEmpty ? "pass" : "fail", evidence: problems.isEmpty ? ["the RAW edges from the main thread and \(HookChecks.threads) threads, overflowing callocs, a \(Workload.calls)-call workload"] : problems)
            } catch {
                return CertifyItem(part: "", status: "fail", evidence: ["\(error)"])
            }
        })
        let plugin: AllocatorPlugin
        let session: FuzzSession
        do {
            plugin = try AllocatorPlugin.load(pluginPath)
            session = try FuzzSession.start(.init(target: target, mode: mode, plugin: plugin))
        } catch {
            return emit(CertifyItem(part: "start-up with the plugin", status: "fail", evidence: ["\(error)"]))
        }
        let runner = ProgramRunner(session: session)
        emit(isolated("plugin functions called directly", timeout: 300) {
            let problems = HookChecks.run(plugin, runtime: session.runtime)
            let asked = "every documented edge from the main thread, a new thread and \(HookChecks.threads) threads at once (RAW; every domain from 3.12; MEM and OBJ holding the GIL), 4 calloc pairs that overflow size_t, and a \(Workload.calls)-call mixed workload per domain"
            return CertifyItem(part: "", status: problems.isEmpty ? "pass" : "fail", evidence: problems.isEmpty ? [asked] : problems)
        })
        emit(isolated("failures injected under the plugin", timeout: 60) {
            let (problems, reached) = InjectedFailureChecks.run(plugin)
            let note = reached ? [] : ["the plugin never called the allocator under it (a replacement): its failure paths are reached only through sizes that cannot be met"]
            return CertifyItem(part: "", status: problems.isEmpty ? "pass" : "fail", evidence: problems + note)
        })
        emit(isolated("threads", timeout: 120) {
            let (problems, notes) = ThreadStress.run(session, plugin: plugin)
            return CertifyItem(part: "", status: problems.isEmpty ? "pass" : "fail", evidence: problems + notes)
        })
        for fuzzTarget in FuzzTarget.allCases {
            emit(isolated(fuzzTarget.rawValue, timeout: fuzzSeconds + 60) {
                FuzzLoop.run(fuzzTarget, runner: runner, seconds: fuzzSeconds)
            })
        }
    }

    /// Runs `body` in a forked child and reads its item back; a crash or hang fails the part.
    static func isolated(_ part: String, timeout: Double, _ body: () -> CertifyItem) -> CertifyItem {
        do {
            let outcome = try ForkedChild.run(timeout: timeout) {
                for signal in [SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP] { Glibc.signal(signal, SIG_DFL) }
                var item = body()
                item.part = part
                emit(item)
            }
            let item = outcome.stdout.split(separator: "\n").last { $0.hasPrefix(marker) }
                .flatMap { try? JSONDecoder().decode(CertifyItem.self, from: Data($0.dropFirst(marker.count).utf8)) }
            if let item { return item }
            let context = outcome.stdout.split(separator: "\n").last { $0.hasPrefix(FuzzLoop.inputMarker) }.map { String($0.dropFirst(FuzzLoop.inputMarker.count)) }
            let tail = outcome.stderr.split(separator: "\n").suffix(2).joined(separator: " | ")
            let crash = outcome.signal.map { ["crash \(ChildOutcome.signalName($0))"] } ?? []
            return CertifyItem(part: part, status: "fail", evidence: ["the target crashed with the plugin in it: \(outcome.summary) \(tail)"] + (context.map { ["during the input (byte form, hex): \($0)"] } ?? []),
                               detectedBy: crash)
        } catch {
            return CertifyItem(part: part, status: "fail", evidence: ["could not isolate: \(error)"])
        }
    }

    static func emit(_ item: CertifyItem) {
        guard let json = try? JSONEncoder().encode(item) else { return }
        print(marker + String(decoding: json, as: UTF8.self))
        fflush(nil)
    }

    static func parse(_ stdout: String) -> [CertifyItem] {
        stdout.split(separator: "\n").filter { $0.hasPrefix(marker) }
            .compactMap { try? JSONDecoder().decode(CertifyItem.self, from: Data($0.dropFirst(marker.count).utf8)) }
    }
}

/// A fuzz target's per-input code on generated inputs for a while (no coverage guidance: the
/// same deterministic stream every time, so a failing input can be found again).
enum FuzzLoop {
    static let inputMarker = "PYMEMCHECK-INPUT "

    static func run(_ target: FuzzTarget, runner: ProgramRunner, seconds: Double) -> CertifyItem {
        var generator = ProgramGenerator(seed: 0x5EED_0000 &+ UInt64(FuzzTarget.allCases.firstIndex(of: target)!))
        let deadline = Date().addingTimeInterval(seconds)
        var count = 0
        while Date() < deadline {
            let bytes = generator.next(ops: 48, violations: target == .violations)
            guard let program = try? ByteForm.decode(bytes) else { continue }
            // Said before running: a crash in this input is laid at its door.
            print(inputMarker + bytes.map { String($0 >> 4, radix: 16) + String($0 & 15, radix: 16) }.joined())
            let verdict = target.run(program, with: runner)
            count += 1
            if !verdict.conforms {
                let found = verdict.findings.map { $0.invariant == .noCrash ? "crash \($0.signal.map(ChildOutcome.signalName) ?? "?")" : $0.invariant.rawValue }
                return CertifyItem(part: "", status: "fail", evidence: verdict.findings.map(\.description) + ["input:"] + TextForm.render(program).split(separator: "\n").map { "  " + $0 },
                                   detectedBy: found)
            }
        }
        return CertifyItem(part: "", status: "pass", evidence: ["\(count) inputs in \(Int(seconds)) s, no finding"])
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
