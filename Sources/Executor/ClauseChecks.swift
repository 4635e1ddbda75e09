import ClauseCatalogue

/// A clause's check: asks the running target and answers with a verdict.
public typealias Check = @Sendable (CheckContext) -> CheckVerdict

/// Every clause id of the catalogue mapped to the code that checks it. The tables under Tables/
/// each cover sections of the documents; a test checks that they and the catalogue agree.
public enum ClauseChecks {
    public static let registry: [String: Check] = {
        var all: [String: Check] = [:]
        for table in tables {
            all.merge(table) { _, _ in preconditionFailure("a clause id is checked twice") }
        }
        return all
    }()

    public static func check(for id: String) -> Check? { registry[id] }

    static var tables: [[String: Check]] {
        [AllocationTable.table, AllocatorSetupTable.table, DebugHooksTable.table, PymallocTable.table]
    }

    /// Every clause id that has a check.
    public static var ids: Set<String> { Set(registry.keys) }
}
