#if canImport(Glibc)
    import Glibc
#endif

/// The signals a crash or an abort raises. A child whose parent installed handlers for them
/// (the Swift runtime's backtracer, libFuzzer) gets the default action back, so that it ends
/// by the signal itself and its parent can name it.
public enum CrashSignals {
    public static let all: [Int32] = [SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP]

    public static func resetToDefault() {
        for number in all { signal(number, SIG_DFL) }
    }
}
