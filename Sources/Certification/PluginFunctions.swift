import AllocatorLayers
import CPythonABI
import CrashReport
import OpLanguage

/// A plugin's own functions for one domain, called directly (not through CPython's API). Each
/// call is announced before it is made (CrashReport.h), so that a crash inside it, or in the
/// use of the block it returned, names the call, its domain and its thread. A plain C struct of
/// pointers: callable from any thread.
struct PluginFunctions: @unchecked Sendable {
    let domain: Domain
    let hook: PMCMemAllocatorEx

    /// The functions the plugin installed for a domain.
    init(_ installed: AllocatorPlugin.Installed) {
        domain = installed.domain
        hook = installed.hook
    }

    func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        announce(PMC_CALL_MALLOC, size)
        return done(hook.malloc(hook.ctx, size))
    }

    func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        announce(PMC_CALL_CALLOC, count, size)
        return done(hook.calloc(hook.ctx, count, size))
    }

    func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        announce(PMC_CALL_REALLOC, size, pointer: pointer)
        return done(hook.realloc(hook.ctx, pointer, size))
    }

    func free(_ pointer: UnsafeMutableRawPointer?) {
        announce(PMC_CALL_FREE, pointer: pointer)
        hook.free(hook.ctx, pointer)
        pmc_call_end(nil)
    }

    private func announce(
        _ function: PMCCallFunction, _ first: Int = 0, _ second: Int = 0, pointer: UnsafeRawPointer? = nil
    ) {
        pmc_call_begin(Int32(domain.rawValue), 1, Int32(function.rawValue), first, second, pointer)
    }

    private func done(_ result: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        pmc_call_end(result)
        return result
    }
}
