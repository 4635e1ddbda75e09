/// How a part of a certification that is not a catalogue clause came out.
public enum CertifyStatus: String, Sendable, Codable, CaseIterable {
    case pass, fail
    /// Recorded, not judged.
    case note
}

/// One part of a certification that is not a catalogue clause: the plugin's own functions,
/// the failures injected under it, the thread stress, a fuzz target's run.
public struct CertifyItem: Sendable, Codable, Equatable {
    public var target: String
    public var mode: String
    public var part: String
    public var status: CertifyStatus
    public var evidence: [String]
    /// What a failure was found by: the invariants its evidence names (the oracle's words, as
    /// "non-null" or "contents-kept"), and "crash SIGNAME" where the plugin crashed the target.
    public var detectedBy: [String]
    /// For a failure found on an input (a fuzz part): the input in the byte form, hex.
    public var input: String? = nil
    /// For a failure: the one command that runs it again.
    public var reproduce: String? = nil

    public init(
        target: String, mode: String, part: String, status: CertifyStatus, evidence: [String],
        detectedBy: [String], input: String? = nil, reproduce: String? = nil
    ) {
        self.input = input
        self.reproduce = reproduce
        self.target = target
        self.mode = mode
        self.part = part
        self.status = status
        self.evidence = evidence
        self.detectedBy = detectedBy
    }

    public var failed: Bool { status == .fail }
}

/// What certify found: the contract clauses per target and mode, the other parts, and the
/// one-line verdict.
public struct Certificate: Sendable, Codable {
    public var schema = "pymemcheck-certificate/1"
    public var plugin: String
    public var clauses: [ClauseResult]
    public var items: [CertifyItem]
    /// The targets and modes that could not be checked, and why.
    public var notApplicable: [String]

    public init(plugin: String, clauses: [ClauseResult], items: [CertifyItem], notApplicable: [String]) {
        self.plugin = plugin
        self.clauses = clauses
        self.items = items
        self.notApplicable = notApplicable
    }

    public var failures: Int { clauses.filter(\.status.isUnexpected).count + items.filter(\.failed).count }
    /// Whether anything was judged: a contract clause that applied, or a part with a verdict.
    public var judged: Bool {
        clauses.contains { $0.status != .notApplicable } || items.contains { $0.status != .note }
    }
    public var certified: Bool { failures == 0 && judged }

    public var verdict: String {
        let columns = Set(clauses.map { "\($0.target) \($0.mode)" } + items.map { "\($0.target) \($0.mode)" })
        if certified {
            return "CERTIFIED: \(plugin) honours the documented allocator contract on \(columns.count) target mode(s)"
        }
        if !judged {
            return "NOT CERTIFIED: nothing could be checked (\(notApplicable.joined(separator: "; ")))"
        }
        return "REFUSED: \(plugin) breaks the documented allocator contract (\(failures) failure(s))"
    }
}
