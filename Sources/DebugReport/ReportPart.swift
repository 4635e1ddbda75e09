/// The parts of a debug-hook report, in the order CPython writes them.
///
/// The raw values are the names used in `DebugHookReport.missing`. The serial
/// number and extension module lines exist only in some versions and builds,
/// so they are named only when found cut off, never for being absent.
public enum ReportPart: String, Sendable, Equatable, Codable, CaseIterable, Comparable {
    case blockHeader = "block header"
    case bytesRequested = "bytes requested"
    case leadingPad = "leading pad"
    case trailingPad = "trailing pad"
    case serialNumber = "serial number"
    case data = "data"
    case allocationTraceback = "allocation traceback"
    case fatalErrorLine = "fatal error line"
    case runtimeState = "runtime state"
    case currentThreadTraceback = "current thread traceback"
    case extensionModules = "extension modules"

    public static func < (lhs: ReportPart, rhs: ReportPart) -> Bool {
        lhs.order < rhs.order
    }

    private var order: Int {
        ReportPart.allCases.firstIndex(of: self) ?? 0
    }
}
