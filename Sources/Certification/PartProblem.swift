import Checks
import Oracle
import Results

/// What a part of certify found wrong, typed as it was found: where (the domain's functions
/// and the thread that called them), the invariants it breaks, and what was seen. The
/// certificate's `detectedBy` is made from the invariants, never read back out of the text.
struct PartProblem: Sendable, Equatable, CustomStringConvertible {
    let place: String
    let invariants: [Invariant]
    let evidence: String

    init(_ place: String, _ invariants: [Invariant], _ evidence: String) {
        self.place = place
        self.invariants = invariants
        self.evidence = evidence
    }

    /// A clause of the direct contract that failed, said where it failed.
    init(_ place: String, _ problem: DirectContract.Problem) {
        self.init(place, problem.invariants, problem.description)
    }

    var description: String { "\(place): \(evidence)" }

    /// The same problem, said at another place ("raw hook, main thread").
    func at(_ place: String) -> PartProblem { PartProblem(place, invariants, evidence) }
}

extension CertifyItem {
    /// A part's result before it is placed on a target and mode: its problems, or, when there
    /// are none, what was asked (and `notes`, said either way).
    init(part: String, problems: [PartProblem], passing asked: [String], notes: [String] = []) {
        var found: [String] = []
        for name in problems.flatMap(\.invariants).map(\.rawValue) where !found.contains(name) { found.append(name) }
        self.init(
            target: "", mode: "", part: part, status: problems.isEmpty ? .pass : .fail,
            evidence: (problems.isEmpty ? asked : problems.map(\.description)) + notes, detectedBy: found)
    }

    /// A part's result with nothing typed to say what found it (a crash says it itself).
    init(part: String, status: CertifyStatus, evidence: [String], detectedBy: [String] = []) {
        self.init(target: "", mode: "", part: part, status: status, evidence: evidence, detectedBy: detectedBy)
    }
}
