import Foundation
import Oracle
import Reports

/// One part of a certification that is not a catalogue clause: the plugin's own functions,
/// the failures injected under it, the thread stress, a fuzz target's run.
public struct CertifyItem: Sendable, Codable, Equatable {
    public var target: String
    public var mode: String
    public var part: String
    /// pass, fail, or note (recorded, not judged).
    public var status: String
    public var evidence: [String]
    /// What a failure was found by: the invariants its evidence names (the oracle's words, as
    /// "non-null" or "contents-kept"), and "crash SIGNAME" where the plugin crashed the target.
    public var detectedBy: [String]

    public init(target: String = "", mode: String = "", part: String, status: String, evidence: [String] = [],
                detectedBy: [String]? = nil) {
        self.target = target
        self.mode = mode
        self.part = part
        self.status = status
        self.evidence = evidence
        self.detectedBy = detectedBy ?? (status == "fail" ? Self.invariants(in: evidence) : [])
    }

    /// The invariant names that stand as a ": "-separated field of an evidence line.
    static func invariants(in evidence: [String]) -> [String] {
        let names = Set(Invariant.allCases.map(\.rawValue))
        var found: [String] = []
        for line in evidence {
            for field in line.components(separatedBy: ": ") where names.contains(field) && !found.contains(field) { found.append(field) }
        }
        return found
    }

    public var failed: Bool { status == "fail" }
}

/// What certify found: the contract clauses per target and mode, the other parts, and the
/// one-line verdict.
public struct Certificate: Sendable, Codable {
    public var schema = "pymemcheck-certificate/1"
    public var plugin: String
    public var clauses: [ClauseResult]
    public var items: [CertifyItem]
    public var notApplicable: [String]

    public var failures: Int { clauses.filter(\.status.isUnexpected).count + items.filter(\.failed).count }
    public var certified: Bool { failures == 0 && (!clauses.isEmpty || !items.isEmpty) }

    public var verdict: String {
        let columns = Set(clauses.map { "\($0.target) \($0.mode)" } + items.map { "\($0.target) \($0.mode)" })
        if certified { return "CERTIFIED: \(plugin) honours the documented allocator contract on \(columns.count) target mode(s)" }
        if clauses.isEmpty && items.isEmpty { return "NOT CERTIFIED: nothing could be checked (\(notApplicable.joined(separator: "; ")))" }
        return "REFUSED: \(plugin) breaks the documented allocator contract (\(failures) failure(s))"
    }

    public func text() -> String {
        var lines = ["pymemcheck certificate for \(plugin)", ""]
        for result in clauses where result.status.isUnexpected {
            lines.append("FAIL \(result.clause) [\(result.target) \(result.mode)]")
            result.evidence.prefix(4).forEach { lines.append("    \($0)") }
        }
        let passed = clauses.filter { $0.status == .pass }.count
        lines.append("contract clauses: \(passed) pass, \(clauses.filter(\.status.isUnexpected).count) fail, \(clauses.filter { $0.status == .notApplicable }.count) not applicable, \(clauses.filter { $0.status == .expectedDeviation }.count) expected deviation (the target's own)")
        for item in items {
            lines.append("\(item.status.uppercased()) \(item.part) [\(item.target) \(item.mode)]")
            item.evidence.prefix(6).forEach { lines.append("    \($0)") }
        }
        notApplicable.forEach { lines.append("not applicable: \($0)") }
        lines.append("")
        lines.append(verdict)
        return lines.joined(separator: "\n") + "\n"
    }
}
