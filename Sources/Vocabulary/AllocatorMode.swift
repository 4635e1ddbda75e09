/// How a runtime is started: one of the PYTHONMALLOC names, the build's default, or `hooks`
/// (the embedder calls PyMem_SetupDebugHooks() itself on top of the default allocators).
public enum AllocatorMode: String, Sendable, CaseIterable, Codable {
    case `default`
    case malloc
    case pymalloc
    case debug
    case mallocDebug = "malloc_debug"
    case pymallocDebug = "pymalloc_debug"
    case mimalloc
    case mimallocDebug = "mimalloc_debug"
    case hooks

    public var name: String { rawValue }

    /// Parses a mode name; the error lists the valid ones.
    public static func parse(_ name: String) throws -> AllocatorMode {
        guard let mode = AllocatorMode(rawValue: name) else {
            throw PyMemCheckError.usage(
                "unknown mode '\(name)'; valid modes: \(allCases.map(\.name).joined(separator: ", "))")
        }
        return mode
    }

    /// The value PYTHONMALLOC takes for this mode, or nil where the mode is not a PYTHONMALLOC name.
    public var pythonMallocName: String? {
        switch self {
        case .default, .hooks: return nil
        default: return rawValue
        }
    }

    /// Whether the debug hooks are expected to be installed once the runtime is up, given the build.
    public func expectsDebugHooks(debugBuild: Bool) -> Bool {
        switch self {
        case .debug, .mallocDebug, .pymallocDebug, .mimallocDebug, .hooks: return true
        case .default: return debugBuild
        case .malloc, .pymalloc, .mimalloc: return false
        }
    }

    /// Which allocator serves the MEM and OBJ domains in this mode, given the build's default.
    public func underlyingAllocator(buildDefault: UnderlyingAllocator) -> UnderlyingAllocator {
        switch self {
        case .malloc, .mallocDebug: return .malloc
        case .pymalloc, .pymallocDebug: return .pymalloc
        case .mimalloc, .mimallocDebug: return .mimalloc
        case .default, .debug, .hooks: return buildDefault
        }
    }

    /// The name CPython reports for its allocators in this mode (_PyMem_GetCurrentAllocatorName).
    public func expectedAllocatorName(buildDefault: UnderlyingAllocator, debugBuild: Bool) -> String {
        let base = underlyingAllocator(buildDefault: buildDefault).rawValue
        return expectsDebugHooks(debugBuild: debugBuild) ? base + "_debug" : base
    }
}

/// The allocator below the (optional) debug hooks of the MEM and OBJ domains.
public enum UnderlyingAllocator: String, Sendable, Codable {
    case malloc, pymalloc, mimalloc
}
