/// An input's verdict: its findings (none: it conforms) and a note on how it ran (where
/// something is worth recording without judging it: a violation without the debug hooks). The
/// fuzz harness judges inputs in this form, and the replay document and certify's parts hold it
/// as it was.
public struct Verdict: Sendable, Codable, Equatable {
    public var findings: [Finding]
    public var note: String?

    public init(findings: [Finding], note: String? = nil) {
        self.findings = findings
        self.note = note
    }

    public var conforms: Bool { findings.isEmpty }
}
