import Vocabulary

/// The debug hooks' report texts, defined once for everything that expects a report: the
/// checks (which add the bad ID message to the catalogue's expected report, the part that
/// depends on the variant), the oracle's violation expectations and the fuzzers. The catalogue
/// states them in its expected reports (Conformance/41-debug-hooks-detection.yaml);
/// ReportTextsTests holds these against it.
public enum ReportTexts {
    /// A block verified by another domain than the one that allocated it, or whose API id was
    /// overwritten: the API letters ('r', 'm', 'o'; any byte written over the id).
    public static func badID(allocated: String, verified: String) -> String {
        "bad ID: Allocated using API '\(allocated)', verified using API '\(verified)'"
    }

    public static let badLeadingPad = "bad leading pad byte"
    public static let badTrailingPad = "bad trailing pad byte"
    public static let withoutGIL = "Python memory allocator called without holding the GIL"

    /// The function a report names: from 3.9 on the debug hook that found it
    /// ("_PyMem_DebugRawFree"); before 3.9 a report names none.
    public static func function(_ name: String, version: PythonVersion) -> String? {
        version >= PythonVersion(3, 9) ? name : nil
    }
}
