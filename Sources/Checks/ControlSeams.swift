import ClauseCatalogue
import PyRuntime
import Vocabulary

/// Where a negative control reaches a check that no allocator layer reaches: the tracemalloc
/// functions it calls, the program and environment of the target's own python it runs, the
/// arguments of the isolated scenario it starts. Empty (nil) in every real run.
public struct ControlSeams {
    public typealias Track = (UInt32, UInt, Int) -> Int32
    public typealias Untrack = (UInt32, UInt) -> Int32

    /// Replaces PyTraceMalloc_Track / PyTraceMalloc_Untrack.
    public var track: Track?
    public var untrack: Untrack?
    /// Replaces the Track and Untrack that threads of C code call (the address of a C function).
    public var threadTrack: UnsafeMutableRawPointer?
    public var threadUntrack: UnsafeMutableRawPointer?
    /// Replaces the program given to the target's python with -c.
    public var pythonProgram: String?
    /// Replaces the PYTHONMALLOC value a check gives the target's python.
    public var pythonMallocName: String?
    /// Changes what a fresh runtime's child is asked (FreshStart).
    public var freshStart: (@Sendable (inout FreshStart.Request) -> Void)?
    /// Plants an isolated scenario's own control (its request's switch).
    public var scenarioControl = false
    /// Report fields that replace the catalogue's expectation (a wrong expectation fed to the
    /// report comparison).
    public var expectedReport: [String: ExpectedReport.Value] = [:]
    /// Replaces the API functions a per-domain check calls (UnguardedCalls).
    public var functions: ((AllocatorDomain) -> DomainFunctions)?
    /// Runs in the RAW threads' child once tracemalloc traces, before the threads start: a
    /// control planted above tracemalloc's own hook, where a RAW call reaches it first.
    public var whileTracing: (@Sendable (PythonLibrary) -> Void)?

    public init() {}
}
