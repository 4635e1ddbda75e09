import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension FuzzEntry {
    /// libFuzzer's LLVMFuzzerInitialize for `target`. The session starts here, before libFuzzer
    /// counts its modules, so an instrumented libpython's edges are in its first report and a
    /// target that cannot start stops the fuzzer before any input. Under AddressSanitizer, a run
    /// given no options file gets the malloc limit the op language needs.
    public static func initialize(
        _ target: FuzzTarget, _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>
    ) -> Int32 {
        if runningUnderAddressSanitizer {
            appendFlagIfAbsent("malloc_limit_mb", "2147483647", argc, argv)
        }
        _ = runner(for: target)
        return 0
    }

    static var runningUnderAddressSanitizer: Bool {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil // RTLD_DEFAULT
    }

    /// Adds "-name=value" to libFuzzer's arguments unless "-name=" is there already (an options
    /// file's value, or the user's, wins). The new vector lives as long as the process.
    static func appendFlagIfAbsent(
        _ name: String, _ value: String, _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>
    ) {
        let count = Int(argc.pointee)
        let arguments = (0..<count).map { argv.pointee[$0] }
        let given = "-\(name)="
        if arguments.contains(where: { $0.map { String(cString: $0).hasPrefix(given) } ?? false }) { return }
        let extended = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: count + 2)
        for index in 0..<count { extended[index] = arguments[index] }
        extended[count] = strdup(given + value)
        extended[count + 1] = nil
        argv.pointee = extended
        argc.pointee = Int32(count + 1)
    }
}

/// AddressSanitizer's defaults for a fuzz binary started with no ASAN_OPTIONS (a bundle's
/// fuzzer run bare): the op language asks for sizes no allocator can meet, which must give NULL
/// as they do without ASan, and the interpreter's start-up allocations live until exit by design.
/// ASan reads this during its own start-up, before any Swift runtime: it returns a literal only.
@_cdecl("__asan_default_options")
public func asanDefaultOptions() -> UnsafePointer<CChar> {
    // A Swift string literal is emitted NUL-terminated, as C reads it.
    UnsafeRawPointer(("allocator_may_return_null=1:detect_leaks=0" as StaticString).utf8Start)
        .assumingMemoryBound(to: CChar.self)
}
