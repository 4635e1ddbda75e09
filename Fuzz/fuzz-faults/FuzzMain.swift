import FuzzHarness

/// libFuzzer calls this once, before the first input: the session starts here.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>
) -> Int32 {
    FuzzEntry.initialize(.faults, argc, argv)
}

/// libFuzzer calls this for every input (built by Fuzz/run.sh with -DLIBFUZZER).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.testOneInput(.faults, data, size)
}

#if !LIBFUZZER
    /// Without libFuzzer (a plain swift build) the binary replays the inputs it is given.
    @main enum FuzzMain {
        static func main() { FuzzEntry.standaloneMain(.faults) }
    }
#endif
