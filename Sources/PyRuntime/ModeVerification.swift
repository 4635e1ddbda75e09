import Vocabulary

/// What a started runtime shows of its allocator mode.
public struct ModeObservation: Sendable, Codable, Equatable {
    /// _PyMem_GetCurrentAllocatorName (3.8+) or _PyMem_GetAllocatorsName (3.7); nil on 3.6.
    public var allocatorName: String?
    /// Whether the debug hooks are installed, per domain.
    public var debugHooks: [String: Bool]
    /// The arena size pymalloc requested while small blocks were allocated; nil when none.
    public var arenaSize: Int?
    /// The layout of a 16-byte PyMem_Malloc block, read where the hooks are installed.
    public var memBlock: BlockLayout?

    public var debugHooksOn: Bool { debugHooks.values.allSatisfy { $0 } }
    public var pymallocInUse: Bool { arenaSize != nil }
}

/// Checks, after start-up, that the requested mode really took effect: hooks present or absent
/// (and their block layout), the allocator name CPython reports, and arenas used or not.
struct ModeVerification {
    let runtime: PythonRuntime

    func observe() -> ModeObservation {
        let library = runtime.library
        var hooks: [String: Bool] = [:]
        for domain in AllocatorDomain.allCases { hooks[domain.description] = library.debugHooksInstalled(domain) }
        var layout: BlockLayout?
        if hooks["mem"] == true, let block = library.mem.malloc(16) {
            layout = BlockLayout(block: block, requested: 16, domain: .mem)
            library.mem.free(block)
        }
        return ModeObservation(
            allocatorName: runtime.reportedAllocatorName, debugHooks: hooks,
            arenaSize: runtime.observeArenaSize(), memBlock: layout)
    }

    func verify() throws -> ModeObservation {
        let observation = observe()
        let target = runtime.target
        let mode = runtime.mode
        let context = "mode \(mode.name) did not take effect on \(target.id)"
        let expectHooks = mode.expectsDebugHooks(debugBuild: target.debugBuild)
        for (domain, on) in observation.debugHooks.sorted(by: { $0.key < $1.key }) where on != expectHooks {
            throw PyMemCheckError.runtime(
                "\(context): debug hooks of the \(domain) domain are "
                    + "\(on ? "on" : "off"), expected \(expectHooks ? "on" : "off")")
        }
        if let layout = observation.memBlock, !layout.matchesDebugLayout(of: target.version, domain: .mem) {
            throw PyMemCheckError.runtime(
                "\(context): a PyMem_Malloc(16) block lacks the debug "
                    + "layout (header size \(layout.headerSize), API '\(layout.apiID)')")
        }
        let expectedName = target.expectedAllocatorName(in: mode)
        if let name = observation.allocatorName, name != expectedName {
            throw PyMemCheckError.runtime(
                "\(context): CPython reports allocators '\(name)', expected '\(expectedName)'")
        }
        let expectArenas = target.underlyingAllocator(in: mode) == .pymalloc
        if observation.pymallocInUse != expectArenas {
            throw PyMemCheckError.runtime(
                "\(context): pymalloc arenas " + "\(observation.pymallocInUse ? "were" : "were not") used, expected "
                    + "\(expectArenas ? "used" : "unused")")
        }
        return observation
    }
}
