/// One Python frame from a traceback in the report.
///
/// Allocation tracebacks (tracemalloc) print `File "x.py", line N` without a
/// function name; thread tracebacks print `File "x.py", line N in func`.
public struct TraceFrame: Sendable, Equatable, Codable {
    public var file: String
    /// The line number; `-1` when CPython printed `???` (line unknown).
    public var line: Int
    public var function: String?

    public init(file: String, line: Int, function: String? = nil) {
        self.file = file
        self.line = line
        self.function = function
    }
}
