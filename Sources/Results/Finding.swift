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

    public init(opIndex: Int, op: String, invariant: Invariant, evidence: String, signal: Int32? = nil) {
        self.opIndex = opIndex
        self.op = op
        self.invariant = invariant
        self.evidence = evidence
        self.signal = signal
    }

    /// The one-line form the fuzzers, certify's evidence and the reports print.
    public var description: String {
        let place = opIndex < 0 ? "at clean-up" : "op \(opIndex + 1) `\(op)`"
        return "\(place): \(invariant.rawValue): \(evidence)"
    }
}
