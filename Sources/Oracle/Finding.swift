import OpLanguage

/// A documented invariant the oracle checks.
public enum Invariant: String, Sendable, Codable, CaseIterable {
    case nonNull = "non-null"
    case distinct
    case noOverlap = "no-overlap"
    case mustFail = "must-fail"
    case contentsKept = "contents-kept"
    case callocZeroed = "calloc-zeroed"
    case blockSize = "block-size"
    case failureKeepsBlock = "failure-keeps-block"
    case debugLayout = "debug-layout"
    case cleanByte = "clean-byte"
    case threadSafe = "thread-safe"
    case noLeak = "no-leak"
    case freedMemoryIntact = "freed-memory-intact"
    case violationDetected = "violation-detected"
    case violationReport = "violation-report"
    /// The process running the input must survive it (a legal program never crashes); the
    /// finding carries the signal that ended it.
    case noCrash = "no-crash"
}

/// A violated invariant: which op, which invariant, and what was seen instead.
public struct Finding: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The index of the op in the program (-1: after the last op, at clean-up).
    public var opIndex: Int
    public var op: String
    public var invariant: Invariant
    public var evidence: String
    /// The signal that ended the process, for a `no-crash` finding.
    public var signal: Int32?

    /// The one-line form the fuzzers, certify's evidence and the reports print.
    public var description: String {
        let place = opIndex < 0 ? "at clean-up" : "op \(opIndex + 1) `\(op)`"
        return "\(place): \(invariant.rawValue): \(evidence)"
    }
}

extension Finding {
    /// A finding at op `index`, the op in its text form (none: at clean-up, written as "").
    public init(at index: Int, _ op: Op?, _ invariant: Invariant, _ evidence: String) {
        let text = op.map { TextForm.line(for: $0) } ?? ""
        self.init(opIndex: index, op: text, invariant: invariant, evidence: evidence)
    }
}
