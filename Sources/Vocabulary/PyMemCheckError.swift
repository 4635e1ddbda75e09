/// Every error pymemcheck reports to a user: one line that says what is wrong and what to do.
public enum PyMemCheckError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command line is wrong (exit 2).
    case usage(String)
    /// The machine lacks something: a Python, a library, a symbol (exit 2).
    case environment(String)
    /// A mode the target cannot run; never silently replaced by another (reported, not failed).
    case notApplicable(String)
    /// Starting or driving the runtime did not do what it must (exit 1).
    case runtime(String)

    public var description: String {
        switch self {
        case .usage(let text), .environment(let text), .notApplicable(let text), .runtime(let text):
            return text
        }
    }

    /// The process exit code this error maps to: 1 a check failed, 2 usage or environment.
    public var exitCode: Int32 {
        switch self {
        case .usage, .environment: return 2
        case .notApplicable, .runtime: return 1
        }
    }
}
