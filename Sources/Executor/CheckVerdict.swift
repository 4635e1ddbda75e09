/// The answer of one clause on one running target: it held, it did not (with the evidence),
/// or it could not be asked here (with the reason).
public struct CheckVerdict: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pass, fail
        case notApplicable = "not-applicable"
    }

    public var status: Status
    public var evidence: [String]

    public static let pass = CheckVerdict(status: .pass, evidence: [])
    public static func fail(_ evidence: [String]) -> CheckVerdict { CheckVerdict(status: .fail, evidence: evidence) }
    public static func fail(_ evidence: String) -> CheckVerdict { fail([evidence]) }
    public static func notApplicable(_ reason: String) -> CheckVerdict { CheckVerdict(status: .notApplicable, evidence: [reason]) }
}

/// Collects what a check found wrong; the verdict passes when nothing was found.
public struct Evidence {
    public private(set) var problems: [String] = []

    public init() {}

    /// Records `problem` when `condition` is false.
    public mutating func expect(_ condition: Bool, _ problem: @autoclosure () -> String) {
        if !condition { problems.append(problem()) }
    }

    public mutating func add(_ problem: String) { problems.append(problem) }

    public var verdict: CheckVerdict { problems.isEmpty ? .pass : .fail(problems) }
}
