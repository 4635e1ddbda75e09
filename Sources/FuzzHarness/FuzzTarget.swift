import Foundation
import Isolation
import OpLanguage
import Oracle
import PyRuntime
import Results
import Vocabulary

/// The three fuzz targets. Each is a libFuzzer entry point in its own product (Fuzz/), and the
/// same per-input code replays corpus files in the tests and in `pymemcheck replay`.
public enum FuzzTarget: String, Sendable, CaseIterable, Codable {
    /// Legal op sequences across all domains, against the oracle.
    case sequences = "fuzz-sequences"
    /// A legal prefix and one violation, in a forked child; the report checked field by field.
    case violations = "fuzz-violations"
    /// Fault injection and a hostile allocator under the hooks (moving reallocs, poisoned frees).
    case faults = "fuzz-faults"

    public var hostile: Bool { self == .faults }

    /// Runs one decoded input.
    public func run(_ program: Program, with runner: ProgramRunner) -> Verdict {
        runner.session.setHostile(hostile)
        switch self {
        case .sequences, .faults:
            let findings = runner.run(program.withoutViolations)
            return Verdict(findings: findings, note: runner.note)
        case .violations: return ViolationRunner.run(program, runner: runner)
        }
    }
}

/// The process-wide state of a fuzz binary: one started target (a runtime starts once per
/// process), and the runner that keeps the oracle.
public enum FuzzEntry {
    private static let shared = Locked<RunnerBox?>(nil)

    /// The process's runner, starting the session on first use with the options the binary's
    /// environment, bundle and name give (`FuzzSession.Options.forFuzzer`), said in one line. A
    /// target that cannot start ends the process with one line that says why.
    public static func runner(for target: FuzzTarget) -> ProgramRunner {
        shared.withLock { box in
            if let box { return box.runner }
            do {
                let chosen = try FuzzSession.Options.forFuzzer(target)
                let counted = CoverageForwarding.connect(besides: chosen.options.target.libraryPath)
                let line = chosen.origin + (counted ? "; libFuzzer counts libpython's edges" : "")
                FileHandle.standardError.write(Data("pymemcheck \(target.rawValue): \(line)\n".utf8))
                let session = try FuzzSession.start(chosen.options)
                box = RunnerBox(runner: ProgramRunner(session: session))
                return box!.runner
            } catch {
                FileHandle.standardError.write(Data("pymemcheck \(target.rawValue): \(error)\n".utf8))
                exit(2)
            }
        }
    }

    /// libFuzzer's LLVMFuzzerTestOneInput: decode, run, and on a finding print it with the
    /// input as text and abort, so that libFuzzer keeps the input.
    public static func testOneInput(_ target: FuzzTarget, _ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        guard let data, let program = try? ByteForm.decode(UnsafeBufferPointer(start: data, count: size)) else {
            return -1 // not version 1 of the byte form: not worth keeping in the corpus
        }
        let verdict = target.run(program, with: runner(for: target))
        guard verdict.conforms else {
            FileHandle.standardError.write(Data(FindingReport.render(verdict, program: program, target: target).utf8))
            abort()
        }
        return 0
    }

    /// The binary's main when it was built without libFuzzer: replay the files given.
    public static func standaloneMain(_ target: FuzzTarget) -> Never {
        let files = CommandLine.arguments.dropFirst().filter { !$0.hasPrefix("-") }
        guard !files.isEmpty else {
            print(
                "usage: \(target.rawValue) FILE... (built without libFuzzer: replays inputs; "
                    + "Fuzz/run.sh builds the fuzzer)")
            exit(2)
        }
        var failed = false
        for file in files {
            do {
                let program = try OpInput.load(checking: file)
                let verdict = target.run(program, with: runner(for: target))
                print("\(file): \(verdict.conforms ? "conforms" : "FINDING")\(verdict.note.map { " (\($0))" } ?? "")")
                for finding in verdict.findings { print("  \(finding)") }
                failed = failed || !verdict.conforms
            } catch {
                print("\(file): unreadable: \(error)")
                failed = true
            }
        }
        exit(failed ? 1 : 0)
    }
}

final class RunnerBox: @unchecked Sendable {
    let runner: ProgramRunner
    init(runner: ProgramRunner) { self.runner = runner }
}

/// How a finding is shown: what broke, where, and the input in its readable form.
public enum FindingReport {
    public static func render(_ verdict: Verdict, program: Program, target: FuzzTarget) -> String {
        var text = "pymemcheck \(target.rawValue): the allocator API broke its documented contract\n"
        for finding in verdict.findings { text += "  \(finding)\n" }
        text += "input (text form):\n"
        text += TextForm.render(program).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        return text
    }
}
