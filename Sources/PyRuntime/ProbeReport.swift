import Vocabulary

/// What `pymemcheck probe` sees of a started runtime, as the probing child hands it to the parent
/// (the parent renders it as the Reports probe document).
public struct ProbeReport: Sendable, Codable, Equatable {
    public struct Block: Sendable, Codable, Equatable {
        public var domain: String
        public var requested: Int
        public var address: String
        /// The debug-hook layout around the block; nil where the hooks are not installed.
        public var debugLayout: BlockLayout?
    }

    public var target: PythonTarget
    public var mode: String
    /// The allocators in effect: CPython's own name where it reports one (3.7+), else derived
    /// from what was observed (hooks present, arenas used).
    public var modeInEffect: String
    public var allocatorName: String?
    public var debugHooks: [String: Bool]
    public var debugHooksOn: Bool
    public var arenaSize: Int?
    public var blocks: [Block]
}

extension PythonRuntime {
    /// Allocates a few blocks in each domain and reports what the runtime looks like.
    public func probe() -> ProbeReport {
        let observation = observation ?? ModeVerification(runtime: self).observe()
        let derived =
            (observation.pymallocInUse
                ? "pymalloc" : (mode == .mimalloc || mode == .mimallocDebug ? "mimalloc" : "malloc"))
            + (observation.debugHooksOn ? "_debug" : "")
        let samples: [(AllocatorDomain, Int)] = [(.raw, 8), (.mem, 16), (.obj, 24), (.obj, 600)]
        let blocks = samples.map { domain, size in
            probeBlock(domain: domain, size: size, hooks: observation.debugHooks[domain.description] == true)
        }
        return ProbeReport(
            target: target, mode: mode.name, modeInEffect: observation.allocatorName ?? derived,
            allocatorName: observation.allocatorName, debugHooks: observation.debugHooks,
            debugHooksOn: observation.debugHooksOn, arenaSize: observation.arenaSize, blocks: blocks)
    }

    private func probeBlock(domain: AllocatorDomain, size: Int, hooks: Bool) -> ProbeReport.Block {
        let functions = library.functions(domain)
        guard let block = functions.malloc(size) else {
            return ProbeReport.Block(domain: domain.description, requested: size, address: "NULL", debugLayout: nil)
        }
        defer { functions.free(block) }
        let layout = hooks ? BlockLayout(block: block, requested: size, domain: domain) : nil
        return ProbeReport.Block(
            domain: domain.description, requested: size,
            address: "0x" + String(UInt(bitPattern: block), radix: 16), debugLayout: layout)
    }
}
