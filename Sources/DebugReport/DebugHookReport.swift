import Vocabulary

/// The fatal-error report that CPython's memory allocator debug hooks write to
/// stderr (PYTHONMALLOC=debug, or any debug build), as parsed by `DebugReportParser`.
///
/// Every field is optional or empty by default because reports are often cut
/// short: the process aborts while writing, or a pipe drops the tail. `missing`
/// says which expected parts could not be read.
public struct DebugHookReport: Sendable, Equatable, Codable {
    public var blockAddress: UInt64?
    /// The API id byte as printed: "r" (raw), "m" (mem), "o" (object), or
    /// whatever an overwritten id byte holds.
    public var apiID: String?
    public var bytesRequested: Int?
    public var leadingPad: PadStatus?
    public var trailingPad: PadStatus?
    public var tailAddress: UInt64?
    /// "The block was made by call #N ..." — printed only by builds with
    /// PYMEM_DEBUG_SERIALNO (of the captured versions, 3.6 and 3.7).
    public var serialNumber: UInt64?
    /// Bytes printed after "Data at p:"; for long blocks CPython prints the first
    /// and last eight only, and the elided middle is not represented. Nil when
    /// there is no data line (CPython prints none for a zero-byte block).
    public var dataBytes: [UInt8]?
    public var dataElided: Bool
    /// "Enable tracemalloc to get the memory block allocation traceback" was printed.
    public var tracemallocHint: Bool
    /// Frames under "Memory block allocated at (most recent call first):".
    public var allocationTraceback: [TraceFrame]
    /// The C function named before the message (3.9+), e.g. "_PyMem_DebugRawFree".
    public var fatalFunction: String?
    /// The message after any function prefix, e.g. "bad trailing pad byte".
    public var fatalMessage: String?
    /// "Python runtime state: ..." (3.8+), e.g. "initialized".
    public var runtimeState: String?
    /// Frames of the thread that hit the error, most recent first.
    public var currentThreadFrames: [TraceFrame]
    /// Modules named on the "Extension modules:" line (3.10+).
    public var extensionModules: [String]
    /// Names (`ReportPart` raw values) of expected parts that were absent or cut off.
    public var missing: [String]

    public init(
        blockAddress: UInt64? = nil,
        apiID: String? = nil,
        bytesRequested: Int? = nil,
        leadingPad: PadStatus? = nil,
        trailingPad: PadStatus? = nil,
        tailAddress: UInt64? = nil,
        serialNumber: UInt64? = nil,
        dataBytes: [UInt8]? = nil,
        dataElided: Bool = false,
        tracemallocHint: Bool = false,
        allocationTraceback: [TraceFrame] = [],
        fatalFunction: String? = nil,
        fatalMessage: String? = nil,
        runtimeState: String? = nil,
        currentThreadFrames: [TraceFrame] = [],
        extensionModules: [String] = [],
        missing: [String] = []
    ) {
        self.blockAddress = blockAddress
        self.apiID = apiID
        self.bytesRequested = bytesRequested
        self.leadingPad = leadingPad
        self.trailingPad = trailingPad
        self.tailAddress = tailAddress
        self.serialNumber = serialNumber
        self.dataBytes = dataBytes
        self.dataElided = dataElided
        self.tracemallocHint = tracemallocHint
        self.allocationTraceback = allocationTraceback
        self.fatalFunction = fatalFunction
        self.fatalMessage = fatalMessage
        self.runtimeState = runtimeState
        self.currentThreadFrames = currentThreadFrames
        self.extensionModules = extensionModules
        self.missing = missing
    }

    public var isComplete: Bool { missing.isEmpty }
}

extension DebugHookReport {
    /// What went wrong, read from the fatal message; nil when there is none.
    public var kind: FatalErrorKind? {
        fatalMessage.map(FatalErrorKind.init(message:))
    }

    /// `missing` as typed parts (names that are not `ReportPart`s are dropped).
    public var missingParts: [ReportPart] {
        missing.compactMap(ReportPart.init(rawValue:))
    }

    /// The fill-byte generation, known when a damaged pad printed its FORBIDDENBYTE.
    public var fillBytes: DebugFillBytes? {
        let printed = leadingPad?.expectedByte ?? trailingPad?.expectedByte
        return printed.flatMap { DebugFillBytes.matching(forbidden: $0) }
    }

    /// Whether a "Debug memory block" dump was found.
    public var hasBlockDump: Bool {
        blockAddress != nil || apiID != nil || bytesRequested != nil
            || leadingPad != nil || trailingPad != nil
    }
}
