import DebugReport
import Foundation
import Glibc
import Isolation
import OpLanguage
import Oracle
import PyRuntime
import Results
import Vocabulary

/// A legal prefix followed by one violation, run in a forked child of the fuzz process. Under
/// the debug hooks the child must die in Py_FatalError with the documented report (compared
/// field by field); without them, what happens is recorded, not judged.
public enum ViolationRunner {
    /// What the child tells the parent (on the WorkerChannel framing).
    enum Message: Codable {
        /// The oracle's findings on the legal prefix: the violation was not committed.
        case prefixFindings([Finding])
        /// What the violation about to be committed must produce.
        case expectation(ViolationExpectation)
    }
    static let timeout: Double = 20

    public static func run(_ program: Program, runner: ProgramRunner) -> Verdict {
        let (prefix, violation) = program.legalPrefixAndFirstViolation
        // Every op on the main thread, with a violation or without: the same input, the same calls.
        guard let violation else { return Verdict(findings: runner.run(prefix, places: false)) }
        let outcome: ChildOutcome
        do {
            outcome = try ForkedChild.run(timeout: timeout) { child(prefix, violation, runner) }
        } catch {
            return Verdict(findings: [], note: "could not fork: \(error)")
        }
        return judge(outcome, violation: violation, index: prefix.count, session: runner.session)
    }

    /// In the child: the prefix, the expectation (printed before anything can go wrong), the
    /// violation, and the call that must detect it. A prefix the oracle finds fault with is the
    /// input's finding: its findings go to the parent and the violation is not committed (the
    /// blocks' state is no longer known).
    private static func child(_ prefix: [Op], _ violation: Op, _ runner: ProgramRunner) {
        let findings = runner.runPrefix(prefix)
        guard findings.isEmpty else { return WorkerChannel.send(Message.prefixFindings(findings)) }
        let block = slot(of: violation).flatMap { runner.oracle.block(in: $0) }
        let expectation = ViolationExpectation.of(violation, block: block, version: runner.session.version)
        WorkerChannel.send(Message.expectation(expectation)) // flushed: the violation may abort next
        commit(violation, block: block, session: runner.session)
    }

    static func slot(of op: Op) -> Slot? {
        switch op {
        case .crossFree(let slot, _), .padWrite(let slot, _), .apiIDWrite(let slot): return slot
        default: return nil
        }
    }

    private static func commit(_ violation: Op, block: BlockModel?, session: FuzzSession) {
        let word = BlockLayout.wordSize
        switch violation {
        case .crossFree(_, let domain):
            session.functions[domain]!.free(block?.pointer)
        case .padWrite(_, let offset):
            guard let block else { return }
            let address = offset < 0 ? block.pointer + Int(offset) : block.pointer + block.size + Int(offset)
            address.storeBytes(of: ViolationExpectation.padByte, as: UInt8.self)
            session.functions[block.domain]!.free(block.pointer)
        case .apiIDWrite:
            guard let block else { return }
            (block.pointer - word).storeBytes(of: ViolationExpectation.foreignAPIID, as: UInt8.self)
            session.functions[block.domain]!.free(block.pointer)
        case .withoutGIL(let domain):
            let functions = session.functions[domain]!
            session.runtime.withoutGIL { functions.free(functions.malloc(16)) }
        default:
            break
        }
    }

    /// The parent's verdict on the child's end.
    static func judge(_ outcome: ChildOutcome, violation: Op, index: Int, session: FuzzSession) -> Verdict {
        func finding(_ invariant: Invariant, _ op: Op, _ evidence: String) -> Finding {
            Finding(at: index, op, invariant, evidence)
        }
        let messages = WorkerChannel.messages(Message.self, in: outcome.stdout)
        for case .prefixFindings(let findings) in messages { return Verdict(findings: findings) }
        let expectations = messages.compactMap { if case .expectation(let expected) = $0 { expected } else { nil } }
        guard let expectation = expectations.first else {
            var crash = finding(
                .noCrash, violation,
                "the legal prefix did not complete: the child \(outcome.summary)\(tail(outcome))")
            crash.signal = outcome.signal
            return Verdict(findings: [crash])
        }
        let ended = "the child \(outcome.summary)"
        guard expectation.detectable else {
            if outcome.exitedCleanly {
                return Verdict(findings: [], note: "\(expectation.describe): nothing to detect; \(ended)")
            }
            // A legal call (free(NULL), a same-domain free) that kills the process is a crash.
            var crash = finding(
                outcome.signal == nil ? .violationReport : .noCrash, violation,
                "\(expectation.describe) breaks no rule, yet \(ended)\(tail(outcome))")
            crash.signal = outcome.signal
            return Verdict(findings: [crash])
        }
        guard session.debugHooks else {
            return Verdict(findings: [], note: "\(expectation.describe) without the debug hooks: \(ended)")
        }
        guard outcome.signal == SIGABRT else {
            let evidence =
                "\(expectation.describe) under the debug hooks: \(ended), "
                + "not an abort with the report\(tail(outcome))"
            return Verdict(findings: [finding(.violationDetected, violation, evidence)])
        }
        let mismatches = ReportComparison.mismatches(
            DebugReportParser.parse(outcome.stderr), expected: expectedFields(expectation))
        return mismatches.isEmpty
            ? Verdict(findings: [], note: "\(expectation.describe): detected with the documented report")
            : Verdict(
                findings: mismatches.map { finding(.violationReport, violation, "\(expectation.describe): \($0)") })
    }

    static func expectedFields(_ expectation: ViolationExpectation) -> [String: ReportValue] {
        var fields = expectation.fields
        if let offsets = expectation.leadingOffsets { fields["bad_leading_offsets"] = .integers(offsets) }
        if let offsets = expectation.trailingOffsets { fields["bad_trailing_offsets"] = .integers(offsets) }
        return fields
    }

    /// ": " and the child's last lines of standard error, or nothing when it wrote none.
    static func tail(_ outcome: ChildOutcome) -> String { WorkerFailure.colonTail(outcome, lines: 2) }
}
