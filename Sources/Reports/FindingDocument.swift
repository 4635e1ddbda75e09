import Oracle

/// A violated invariant as reports show it: the oracle's own finding, so that a report and the
/// fuzzers' output cannot drift apart.
public typealias FindingEntry = Finding

extension Finding {
    /// "op 3 `free mem s1`: contents-kept: ..." or "at clean-up: no-leak: ...".
    public func text() -> String { description }
}

/// An input's verdict: its findings (none: it conforms) and a note on how it ran. The fuzz
/// harness judges inputs in this form (its `Verdict`), so a report holds the verdict as it was.
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
