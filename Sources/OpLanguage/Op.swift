import Vocabulary

/// The op language: what a fuzz input or a corpus file asks the allocator API to do.
///
/// A program works on 16 slots, each holding at most one live block. Legal ops never break the
/// documented rules: `free`/`realloc` of a live slot use the domain that made the block (the
/// op's domain only matters when the slot is empty: realloc(NULL, n), free(NULL)). Violations
/// break one rule on purpose and are run only where a crash is expected and isolated.
public enum Op: Sendable, Hashable {
    /// p = malloc(size) into `slot` (a live block already there is freed first).
    case malloc(AllocatorDomain, size: Size, slot: Slot)
    /// p = calloc(count, size) into `slot`.
    case calloc(AllocatorDomain, count: Size, size: Size, slot: Slot)
    /// realloc the block in `slot` to `size`; realloc(NULL, size) in `domain` when the slot is empty.
    case realloc(AllocatorDomain, slot: Slot, size: Size)
    /// free the block in `slot`; free(NULL) in `domain` when the slot is empty.
    case free(AllocatorDomain, slot: Slot)
    /// Write `length` bytes of a pattern made from `seed` at `offset` in the block (both taken
    /// modulo the block's size, so that a write always stays inside it).
    case write(slot: Slot, offset: UInt8, length: UInt8, seed: UInt8)
    /// Read the whole block back and compare it with what the oracle expects.
    case check(slot: Slot)
    /// Make the next call of `function` in `domain` fail in the allocator below (fault injection).
    case failNext(AllocatorDomain, AllocatorFunction)
    /// Another thread, with no thread state and no GIL, runs `rounds` RAW malloc/write/check/free.
    case rawThread(rounds: UInt8)
    /// The allocator calls of the ops that follow, up to the next `on`, are made on `place`
    /// (an input starts on the main thread). One place runs at a time: the caller waits, so
    /// the program stays sequential and its verdict deterministic (Fuzz/FORMAT.md).
    case on(Place)

    /// Free the block in `slot` with `domain`'s free (a cross-domain free when they differ).
    case crossFree(slot: Slot, AllocatorDomain)
    /// Write one byte into a pad of the block: offset -1...-(S-1) before it, 0..<S after its end.
    case padWrite(slot: Slot, offset: Int8)
    /// Overwrite the API id byte p[-S] of the block.
    case apiIDWrite(slot: Slot)
    /// Call `domain`'s malloc and free without holding the GIL.
    case withoutGIL(AllocatorDomain)

    /// Whether the op breaks a documented rule (allowed only in a violation run).
    public var isViolation: Bool {
        switch self {
        case .crossFree, .padWrite, .apiIDWrite, .withoutGIL: return true
        default: return false
        }
    }
}

/// Where a program's allocator calls are made (the `on` op).
public enum Place: UInt8, Sendable, Hashable, CaseIterable {
    /// The main thread, holding the main interpreter's GIL.
    case main = 0
    /// A second thread: RAW without the GIL and with no thread state attached (as the documents
    /// allow), MEM and OBJ holding the main interpreter's GIL through its own thread state.
    case thread = 1
    /// A thread of an interpreter with its own GIL and obmalloc state (3.12+; elsewhere the main
    /// thread). A MEM or OBJ block is reallocated and freed in the interpreter that made it.
    case interpreter = 2

    public var name: String { ["main", "thread", "interpreter"][Int(rawValue)] }
}

/// The allocating functions that fault injection can make fail.
public enum AllocatorFunction: UInt8, Sendable, Hashable, CaseIterable {
    case malloc = 0
    case calloc = 1
    case realloc = 2

    public var name: String { ["malloc", "calloc", "realloc"][Int(rawValue)] }
}

/// One of the 16 block slots of a program.
public struct Slot: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let count = 16
    public let index: Int

    /// Any byte names a slot (modulo the slot count), so every input decodes.
    public init(_ index: Int) { self.index = ((index % Self.count) + Self.count) % Self.count }

    public var description: String { "s\(index)" }
    public static func < (a: Slot, b: Slot) -> Bool { a.index < b.index }
}

/// A requested size: small sizes literally, and the boundary sizes that matter by name.
public struct Size: Sendable, Hashable, CustomStringConvertible {
    /// The size in bytes (UInt: sizes above PY_SSIZE_T_MAX are part of the language).
    public let bytes: UInt

    public init(_ bytes: UInt) { self.bytes = bytes }

    /// Sizes that are not small literals but matter: alignment edges, pymalloc's 512/513, the
    /// arena sizes, large blocks up to the cap, and the sizes that must fail.
    public static let boundaries: [UInt] = [
        192, 255, 256, 257, 500, 511, 512, 513, 600, 1000, 1023, 1024, 1025, 2048, 4095, 4096, 4097,
        8192, 16_384, 65_535, 65_536, 65_537, 131_072, 262_143, 262_144, 262_145, 524_288,
        1_048_575, 1_048_576, 1_048_577, 2_097_152, 4_194_304,
        1 << 32, 1 << 62, UInt(Int.max), UInt(Int.max) + 1, UInt.max - 15, UInt.max,
    ]

    /// The largest size a program actually allocates; anything bigger up to PY_SSIZE_T_MAX is
    /// not in the language (boundaries above the cap are the ones that must fail).
    public static let cap: UInt = 4 << 20

    /// Whether an allocation of this size must fail (above PY_SSIZE_T_MAX).
    public var exceedsSsizeMax: Bool { bytes > UInt(Int.max) }

    public var description: String {
        switch bytes {
        case UInt.max: return "SIZE_MAX"
        case UInt(Int.max): return "SSIZE_MAX"
        case UInt(Int.max) + 1: return "SSIZE_MAX+1"
        default: return String(bytes)
        }
    }
}
