import OpLanguage
import Vocabulary

/// pymemcheck's fault layer, always right above a real allocator and below CPython's own code
/// that calls it: under the debug hooks, under a plugin, or on the RAW domain, which pymalloc
/// falls back to (never on top of pymalloc or of a domain's API). It fails the call the fault
/// switch (or certify, directly) says to fail, so that what runs above it — the debug hooks,
/// pymalloc, a plugin — meets a failing allocator and takes its own failure path.
///
/// In hostile mode, where the allocator below is the libc wrapper (`moves`), it also moves
/// every realloc and poisons freed blocks, keeping them in quarantine for a while, so that
/// anything above that still writes to a freed or moved block is caught. Libc may move any
/// realloc, so this is still a realloc as the wrapper would do it; over pymalloc it would be a
/// realloc instead of pymalloc's own, so there the layer never moves.
public final class FaultLayer: AllocatorLayer, @unchecked Sendable {
    /// Hostile mode (fuzz-faults); switched between inputs, when no block of an input is live.
    public var hostile: Bool
    /// Whether the allocator below is the libc wrapper, so that hostile moves are legitimate.
    public let moves: Bool
    /// The session's fault switch and this layer's point on it (nil until a session attaches).
    public private(set) var faults: FaultSwitch?
    public private(set) var point: FaultSwitch.Point?
    /// The function whose next call fails; armed directly by certify around one call.
    public private(set) var failNext: AllocatorFunction?
    /// Whether the armed failure was used.
    public private(set) var injected = false

    private struct Hostile {
        var sizes: [UInt: Int] = [:]
        var quarantine: [(address: UInt, size: Int)] = []
        var damage: [String] = []
        /// Hostile work done since last asked: reallocs moved, freed blocks poisoned.
        var moved = 0, poisoned = 0
    }

    private let state = Locked(Hostile())
    public static let poison: UInt8 = 0x5A
    static let quarantineLength = 32
    /// Blocks above this are left alone (poisoning a huge calloc'd block would take seconds).
    static let largestTracked = 8 << 20

    public init(hostile: Bool, moves: Bool = false) {
        self.hostile = hostile
        self.moves = moves
        super.init()
    }

    public func attach(_ faults: FaultSwitch, as point: FaultSwitch.Point) {
        self.faults = faults
        self.point = point
    }

    public func arm(_ function: AllocatorFunction?) {
        failNext = function
        injected = false
    }

    private func shouldFail(_ function: AllocatorFunction) -> Bool {
        if failNext == function {
            failNext = nil
            injected = true
            return true
        }
        guard let faults, let point else { return false }
        return faults.take(point)
    }

    public override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        if shouldFail(.malloc) { return nil }
        return remember(below.malloc(size), size)
    }

    public override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        if shouldFail(.calloc) { return nil }
        // calloc(n, 0) reaches here with any n: the product wraps like the size_t it is.
        return remember(below.calloc(count, size), count &* size)
    }

    public override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if shouldFail(.realloc) { return nil }
        guard hostile, moves, let pointer, let old = state.withLock({ $0.sizes[UInt(bitPattern: pointer)] }) else {
            return remember(below.realloc(pointer, size), size)
        }
        // Always move: the old address must never be used again by anything above.
        guard let block = below.malloc(size) else { return nil }
        block.copyMemory(from: pointer, byteCount: min(old, size))
        free(pointer)
        state.withLock { $0.moved += 1 }
        return remember(block, size)
    }

    public override func free(_ pointer: UnsafeMutableRawPointer?) {
        guard hostile, moves, let pointer,
            let size = state.withLock({ $0.sizes.removeValue(forKey: UInt(bitPattern: pointer)) })
        else {
            return below.free(pointer)
        }
        pointer.initializeMemory(as: UInt8.self, repeating: Self.poison, count: size)
        let evicted: (address: UInt, size: Int)? = state.withLock {
            $0.poisoned += 1
            $0.quarantine.append((UInt(bitPattern: pointer), size))
            return $0.quarantine.count > Self.quarantineLength ? $0.quarantine.removeFirst() : nil
        }
        if let evicted { release(evicted) }
    }

    private func remember(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if hostile, moves, let pointer, UInt(bitPattern: size) <= UInt(Self.largestTracked) { // size_t
            state.withLock { $0.sizes[UInt(bitPattern: pointer)] = size }
        }
        return pointer
    }

    /// Checks a quarantined block is still all poison, then really frees it.
    private func release(_ block: (address: UInt, size: Int)) {
        let pointer = UnsafeMutableRawPointer(bitPattern: block.address)!
        let intact = { pointer.load(fromByteOffset: $0, as: UInt8.self) == Self.poison }
        if let offset = (0..<block.size).first(where: { !intact($0) }) {
            let seen = pointer.load(fromByteOffset: offset, as: UInt8.self)
            let address = String(block.address, radix: 16)
            state.withLock {
                $0.damage.append(
                    "freed block 0x\(address) of \(block.size) bytes was written after free: "
                        + "byte \(offset) is 0x\(String(seen, radix: 16))")
            }
        }
        below.free(pointer)
    }

    /// The hostile work done since the last call: (reallocs moved, freed blocks poisoned).
    public func takeHostileCounts() -> (moved: Int, poisoned: Int) {
        state.withLock { state in
            defer { (state.moved, state.poisoned) = (0, 0) }
            return (state.moved, state.poisoned)
        }
    }

    /// Empties the quarantine (end of an input) and returns what was found written after free.
    public func drainDamage() -> [String] {
        let blocks = state.withLock { state in
            defer { state.quarantine.removeAll() }
            return state.quarantine
        }
        blocks.forEach(release)
        return state.withLock { state in
            defer { state.damage.removeAll() }
            return state.damage
        }
    }
}
