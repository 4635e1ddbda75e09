import Foundation
import SanitizerCoverage

#if canImport(Glibc)
    import Glibc
#endif

/// Connects this fuzz binary's libFuzzer to the coverage forwarder an instrumented libpython
/// calls (libpymemcheck-sancov.so beside it, Fuzz/cpython/sancov-forwarder.c): libpython's
/// counters, registered with the forwarder whenever libpython was first loaded, go to libFuzzer
/// now, and its edges from then on.
enum CoverageForwarding {
    static let forwarderName = "libpymemcheck-sancov.so"

    /// Whether libFuzzer's callbacks now reach the forwarder beside `libraryPath`; false when
    /// there is none (an uninstrumented libpython) or this binary has no libFuzzer.
    @discardableResult
    static func connect(besides libraryPath: String) -> Bool {
        let forwarder = (libraryPath as NSString).deletingLastPathComponent + "/" + forwarderName
        guard FileManager.default.fileExists(atPath: forwarder),
            let handle = dlopen(forwarder, RTLD_NOW | RTLD_GLOBAL),
            let connect = dlsym(handle, "pymemcheck_sancov_connect")
        else { return false }
        return pmc_connect_sancov_forwarder(connect) == 1
    }
}
