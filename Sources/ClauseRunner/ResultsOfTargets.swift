import Checks
import NegativeControls
import PyRuntime
import Results
import Vocabulary

extension ClauseResult {
    /// The result of `clause` on `target` in `mode`.
    public init(
        clause: String, _ target: PythonTarget, _ mode: AllocatorMode, status: ResultStatus,
        evidence: [String], seconds: Double, exercised: Int
    ) {
        self.init(
            clause: clause, target: target.id, mode: mode.name, status: status, evidence: evidence,
            seconds: seconds, exercised: exercised)
    }
}

extension MatrixColumn {
    public init(_ target: PythonTarget, _ mode: AllocatorMode) {
        self.init(target: target.id, mode: mode.name)
    }
}
