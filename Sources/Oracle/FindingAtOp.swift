import OpLanguage
import Results

extension Finding {
    /// A finding at op `index`, the op in its text form (none: at clean-up, written as "").
    public init(at index: Int, _ op: Op?, _ invariant: Invariant, _ evidence: String) {
        let text = op.map { TextForm.line(for: $0) } ?? ""
        self.init(opIndex: index, op: text, invariant: invariant, evidence: evidence)
    }
}
