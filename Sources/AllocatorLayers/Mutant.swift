import CPythonABI
import PyRuntime
import Vocabulary

/// Allocators with one planted defect each: proof that the oracle and the fuzz targets find
/// real bugs. Each wraps the real allocator (a hook on top of every domain), except
/// `dropsDebugHooks`, which replaces the allocators before initialisation and does not call
/// PyMem_SetupDebugHooks() again, as the documents require.
public enum MutantKind: String, Sendable, CaseIterable, Codable {
    case zeroSizeNull = "zero-size-null"
    case zeroSizeSamePointer = "zero-size-same-pointer"
    case reallocFailureFreesBlock = "realloc-failure-frees-block"
    case reallocLosesPast64 = "realloc-loses-past-64"
    case callocNoZeroLarge = "calloc-no-zero-large"
    case callocOverflowWraps = "calloc-overflow-wraps"
    case dropsDebugHooks = "drops-debug-hooks"
    case reallocNullFails = "realloc-null-fails"
    case reallocZeroFrees = "realloc-zero-frees"
    case mallocShortByOne = "malloc-short-by-one"
    case freeNullCrashes = "free-null-crashes"

    public var defect: String {
        switch self {
        case .zeroSizeNull: return "malloc(0) and calloc with a zero argument return NULL"
        case .zeroSizeSamePointer: return "every zero-size request returns the same pointer"
        case .reallocFailureFreesBlock: return "a realloc that fails frees the old block"
        case .reallocLosesPast64: return "realloc keeps only the first 64 bytes"
        case .callocNoZeroLarge: return "calloc does not zero blocks above 4 KiB"
        case .callocOverflowWraps: return "calloc computes nelem*elsize in 32 bits"
        case .dropsDebugHooks: return "replaces the allocators and does not reinstall the debug hooks"
        case .reallocNullFails: return "realloc(NULL, n) returns NULL"
        case .reallocZeroFrees: return "realloc(p, 0) frees p and returns NULL"
        case .mallocShortByOne: return "malloc(n) allocates n-1 bytes"
        case .freeNullCrashes: return "free(NULL) dereferences NULL"
        }
    }

    /// The mode in which the defect can be seen (the debug hooks' layout shows most).
    public var preferredMode: String {
        switch self {
        case .dropsDebugHooks, .reallocFailureFreesBlock, .mallocShortByOne: return "debug"
        default: return "pymalloc"
        }
    }

    /// Whether it is installed before initialisation (a replacement) rather than on top after.
    public var replacesBeforeInitialisation: Bool { self == .dropsDebugHooks }

    /// The mutant a user named (`mutant:NAME`, --mutant, PYMEMCHECK_MUTANT): the one place a
    /// name is checked.
    public init(name: String) throws {
        guard let kind = MutantKind(rawValue: name) else {
            throw PyMemCheckError.usage("unknown mutant '\(name)'; one of: \(Self.names)")
        }
        self = kind
    }

    /// Every mutant's name, for a message or a help text.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A mutant planted as a layer: on top of each domain, or (`dropsDebugHooks`) in place of
/// the allocators before initialisation.
public final class MutantLayer: AllocatorLayer, @unchecked Sendable {
    public let kind: MutantKind
    private let zeroBlock = Locked<UnsafeMutableRawPointer?>(nil)

    public init(kind: MutantKind) {
        self.kind = kind
        super.init()
    }

    public override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        switch kind {
        case .zeroSizeNull where size == 0: return nil
        case .zeroSizeSamePointer where size == 0: return sharedZeroBlock()
        case .mallocShortByOne where size > 0: return below.malloc(size - 1)
        default: return below.malloc(size)
        }
    }

    public override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        let total = count.multipliedReportingOverflow(by: size).partialValue
        switch kind {
        case .zeroSizeNull where total == 0: return nil
        case .zeroSizeSamePointer where total == 0: return sharedZeroBlock()
        case .callocNoZeroLarge where total > 4096: return below.malloc(total)
        case .callocOverflowWraps:
            // The API passes any nelem when elsize is 0: read both as the size_t they are.
            let wrapped = Int(UInt32(truncatingIfNeeded: UInt(bitPattern: count) &* UInt(bitPattern: size)))
            return below.calloc(1, wrapped)
        default: return below.calloc(count, size)
        }
    }

    public override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if pointer == nil && kind == .reallocNullFails { return nil }
        if let pointer, pointer == zeroBlock.withLock({ $0 }) { return below.malloc(size) }
        if let pointer, size == 0, kind == .reallocZeroFrees {
            below.free(pointer)
            return nil
        }
        let result = below.realloc(pointer, size)
        switch kind {
        case .reallocFailureFreesBlock where result == nil && pointer != nil:
            below.free(pointer)
        case .reallocLosesPast64 where size > 64:
            if let result { (result + 64).initializeMemory(as: UInt8.self, repeating: 0, count: size - 64) }
        default: break
        }
        return result
    }

    public override func free(_ pointer: UnsafeMutableRawPointer?) {
        if pointer == nil && kind == .freeNullCrashes {
            // The planted defect: a NULL dereference, as a careless allocator would do.
            pmc_crash_with_sigsegv()
        }
        if let pointer, pointer == zeroBlock.withLock({ $0 }) { return }
        below.free(pointer)
    }

    private func sharedZeroBlock() -> UnsafeMutableRawPointer? {
        zeroBlock.withLock {
            if $0 == nil { $0 = below.malloc(1) }
            return $0
        }
    }
}
