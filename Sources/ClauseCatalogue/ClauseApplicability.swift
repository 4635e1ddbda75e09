import Foundation
import PyRuntime

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
        let underlying = mode.underlyingAllocator(defaultIsPymalloc: target.pymalloc)
        switch self {
        case .debugHooks:
            return mode.expectsDebugHooks(debugBuild: target.debugBuild) ? nil : "needs the debug hooks; mode \(mode.name) on \(target.id) has none"
        case .pymalloc:
            return underlying == .pymalloc ? nil : "needs pymalloc; mode \(mode.name) uses \(underlying.rawValue)"
        case .mimalloc:
            return underlying == .mimalloc ? nil : "needs mimalloc; mode \(mode.name) uses \(underlying.rawValue)"
        case .debugBuild:
            return target.debugBuild ? nil : "needs a debug build (Py_DEBUG); \(target.id) is a release build"
        case .releaseBuild:
            return target.debugBuild ? "needs a release build; \(target.id) is a debug build" : nil
        case .headers:
            return HeaderLocator.pythonHeader(for: target) == nil ? "needs the target's headers (Python.h) and a C compiler; install its -dev package" : nil
        case .tracemalloc, .threads:
            return nil
        }
    }
}

/// Where a target's Python.h is, and whether a C compiler is there to use it.
public enum HeaderLocator {
    public static func includeFolder(for target: PythonTarget) -> String? {
        guard let prefix = target.prefix else { return nil }
        let series = target.version.series
        let names = target.debugBuild ? ["python\(series)d", "python\(series)"] : ["python\(series)", "python\(series)m"]
        return names.map { "\(prefix)/include/\($0)" }.first { FileManager.default.fileExists(atPath: "\($0)/Python.h") }
    }

    /// Every folder to pass with -I: the headers, and Debian's multiarch pyconfig.h folder.
    public static func includeFlags(for target: PythonTarget) -> [String] {
        guard let folder = includeFolder(for: target), let prefix = target.prefix else { return [] }
        let name = (folder as NSString).lastPathComponent
        let multiarch = (try? FileManager.default.contentsOfDirectory(atPath: "\(prefix)/include"))?
            .filter { $0.hasSuffix("-linux-gnu") }.map { "\(prefix)/include/\($0)/\(name)" }
            .filter { FileManager.default.fileExists(atPath: $0) } ?? []
        return ([folder] + multiarch).map { "-I" + $0 }
    }

    public static func pythonHeader(for target: PythonTarget) -> String? {
        guard compiler != nil, let folder = includeFolder(for: target) else { return nil }
        return folder + "/Python.h"
    }

    public static let compiler: String? = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}
