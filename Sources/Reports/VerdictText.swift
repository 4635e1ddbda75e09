import Results

extension Finding {
    /// "op 3 `free mem s1`: contents-kept: ..." or "at clean-up: no-leak: ...".
    public func text() -> String { description }
}

extension Verdict {
    /// One indented line per finding.
    public func text(indent: String = "    ") -> String {
        findings.map { indent + $0.text() + "\n" }.joined()
    }
}
