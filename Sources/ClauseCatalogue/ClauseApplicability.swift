import Foundation
import PyRuntime
import Vocabulary

extension Clause {
    /// Whether the clause can be checked on `target` in `mode`, and if not, why: the version
    /// range, the modes it names, and the features it needs.
    public func applicability(target: PythonTarget, mode: AllocatorMode) -> Applicability {
        if case .notApplicable(let reason) = target.applicability(of: mode) { return .notApplicable(reason) }
        if !holds(for: target.version) {
            return .notApplicable("holds for \(since)\(until.map { "–\($0)" } ?? "+"); \(target.id) is outside")
        }
        if !modes.contains(mode) { return .notApplicable("applies to other modes than \(mode.name)") }
        for feature in features + (kind == .expectedFatal ? [.debugHooks] : []) {
            if let missing = feature.missing(target: target, mode: mode) { return .notApplicable(missing) }
        }
        return .applicable
    }
}

extension Feature {
    /// Why `target` in `mode` lacks the feature, or nil when it has it.
    func missing(target: PythonTarget, mode: AllocatorMode) -> String? {
        let underlying = target.underlyingAllocator(in: mode)
        switch self {
        case .debugHooks:
            return mode.expectsDebugHooks(debugBuild: target.debugBuild)
                ? nil : "needs the debug hooks; mode \(mode.name) on \(target.id) has none"
        case .pymalloc:
            return underlying == .pymalloc ? nil : "needs pymalloc; mode \(mode.name) uses \(underlying.rawValue)"
        case .mimalloc:
            return underlying == .mimalloc ? nil : "needs mimalloc; mode \(mode.name) uses \(underlying.rawValue)"
        case .debugBuild:
            return target.debugBuild ? nil : "needs a debug build (Py_DEBUG); \(target.id) is a release build"
        case .releaseBuild:
            return target.debugBuild ? "needs a release build; \(target.id) is a debug build" : nil
        case .freeThreaded:
            return target.freeThreaded ? nil : "needs a free-threaded build (--disable-gil); \(target.id) has a GIL"
        case .gilBuild:
            return target.freeThreaded ? "needs a build with a GIL; \(target.id) is free-threaded" : nil
        case .headers:
            return HeaderLocator.pythonHeader(for: target) == nil
                ? "needs the target's headers (Python.h) and a C compiler; install its -dev package" : nil
        case .tracemalloc, .threads:
            return nil
        }
    }
}
