import CrashReport

#if canImport(Glibc)
    import Glibc
#endif

/// The signals a crash or an abort raises. A child whose parent installed handlers for them
/// (the Swift runtime's backtracer, libFuzzer) gets the default action back, so that it ends
/// by the signal itself and its parent can name it; pymemcheck's own crash report, where the
/// process had it, is put back on top (it ends in the default action too).
public enum CrashSignals {
    public static let all: [Int32] = [SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP]

    public static func resetToDefault() {
        for number in all { signal(number, SIG_DFL) }
        if pmc_crash_report_installed() != 0 { pmc_crash_report_install() }
    }

    /// Makes a crash of this process say, in one line on standard error, the signal, the
    /// faulting address, the thread, and the allocator call it was in or made last (see
    /// CrashReport.h). Every worker process installs it before it starts a target.
    public static func reportCrashes() { pmc_crash_report_install() }

    /// The op of an input being run (1-based; 0: none), said in the crash line.
    public static func op(_ index: Int) { pmc_set_op(Int32(truncatingIfNeeded: index)) }

    /// The line's prefix on standard error.
    public static let reportPrefix = "pymemcheck crash: "
}
