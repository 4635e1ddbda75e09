import Oracle

/// What one input did: the findings (none: it conforms) and, where something is worth
/// recording without judging it (a violation without the debug hooks), a note.
public struct Verdict: Sendable, Codable, Equatable {
    public var findings: [Finding]
    public var note: String?

    public init(findings: [Finding], note: String? = nil) {
        self.findings = findings
        self.note = note
    }

    public var conforms: Bool { findings.isEmpty }
}
