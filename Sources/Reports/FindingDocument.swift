/// A violated invariant as reports show it: which op, which invariant, what was seen instead.
public struct FindingEntry: Sendable, Codable, Equatable {
    /// The index of the op in the program (-1: after the last op, at clean-up).
    public var opIndex: Int
    public var op: String
    /// The invariant's name in the oracle's words ("non-null", "contents-kept", ...).
    public var invariant: String
    public var evidence: String
    /// The signal that ended the process, for a `no-crash` finding.
    public var signal: Int32?

    public init(opIndex: Int, op: String, invariant: String, evidence: String, signal: Int32? = nil) {
        self.opIndex = opIndex
        self.op = op
        self.invariant = invariant
        self.evidence = evidence
        self.signal = signal
    }

    /// "op 3 `free mem s1`: contents-kept: ..." or "at clean-up: no-leak: ...".
    public func text() -> String {
        let place = opIndex < 0 ? "at clean-up" : "op \(opIndex + 1) `\(op)`"
        return "\(place): \(invariant): \(evidence)"
    }
}

/// An input's verdict: its findings (none: it conforms) and a note on how it ran.
public struct FindingsDocument: Sendable, Codable, Equatable {
    public var findings: [FindingEntry]
    public var note: String?

    public init(findings: [FindingEntry], note: String? = nil) {
        self.findings = findings
        self.note = note
    }

    public var conforms: Bool { findings.isEmpty }

    /// One indented line per finding.
    public func text(indent: String = "    ") -> String {
        findings.map { indent + $0.text() + "\n" }.joined()
    }
}
