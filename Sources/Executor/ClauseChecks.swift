import ClauseCatalogue

/// A clause's check: asks the running target and answers with a verdict.
public typealias Check = @Sendable (CheckContext) -> CheckVerdict

/// Every clause id of the catalogue mapped to the code that checks it. Each section of the
/// documents has its own file under Checks/ contributing a table.
public enum ClauseChecks {
    public static let registry: [String: Check] = {
        var all: [String: Check] = [:]
        for table in tables {
            all.merge(table) { _, _ in preconditionFailure("a clause id is checked twice") }
        }
        return all
    }()

    public static func check(for id: String) -> Check? { registry[id] }

    static var tables: [[String: Check]] { [] }
}
