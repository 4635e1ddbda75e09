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

extension MutantKind {
    /// The mutant's defect as a layer: on top of each domain, or (`dropsDebugHooks`, a plain
    /// layer) in place of the allocators before initialisation. The defects a negative control
    /// plants too are the same classes (Defect.swift).
    public func layer() -> AllocatorLayer {
        switch self {
        case .zeroSizeNull: return ZeroSizeNull()
        case .zeroSizeSamePointer: return SharedZeroBlock()
        case .reallocFailureFreesBlock: return ReallocFailureFreesBlock()
        case .reallocLosesPast64: return ReallocLosesPast64()
        case .callocNoZeroLarge: return CallocNoZeroLarge()
        case .callocOverflowWraps: return CallocWraps()
        case .dropsDebugHooks: return Defect()
        case .reallocNullFails: return ReallocNullFails()
        case .reallocZeroFrees: return ReallocZeroFrees()
        case .mallocShortByOne: return MallocShortByOne()
        case .freeNullCrashes: return FreeNullCrashes()
        }
    }
}

/// malloc(0) and calloc with a zero argument return NULL.
final class ZeroSizeNull: Defect, @unchecked Sendable {
    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { size == 0 ? nil : below.malloc(size) }
    override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        count.multipliedReportingOverflow(by: size).partialValue == 0 ? nil : below.calloc(count, size)
    }
}

/// A realloc that fails frees the old block.
final class ReallocFailureFreesBlock: Defect, @unchecked Sendable {
    override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        let result = below.realloc(pointer, size)
        if result == nil, pointer != nil { below.free(pointer) }
        return result
    }
}

/// realloc keeps only the first 64 bytes.
final class ReallocLosesPast64: Defect, @unchecked Sendable {
    override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        let result = below.realloc(pointer, size)
        if let result, size > 64 { (result + 64).initializeMemory(as: UInt8.self, repeating: 0, count: size - 64) }
        return result
    }
}

/// calloc does not zero blocks above 4 KiB.
final class CallocNoZeroLarge: Defect, @unchecked Sendable {
    override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        let total = count.multipliedReportingOverflow(by: size).partialValue
        return total > 4096 ? below.malloc(total) : below.calloc(count, size)
    }
}

/// realloc(p, 0) frees p and returns NULL.
final class ReallocZeroFrees: Defect, @unchecked Sendable {
    override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let pointer, size == 0 else { return below.realloc(pointer, size) }
        below.free(pointer)
        return nil
    }
}

/// malloc(n) allocates n-1 bytes.
final class MallocShortByOne: Defect, @unchecked Sendable {
    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { below.malloc(size > 0 ? size - 1 : size) }
}

/// free(NULL) dereferences NULL, as a careless allocator would.
final class FreeNullCrashes: Defect, @unchecked Sendable {
    override func free(_ pointer: UnsafeMutableRawPointer?) {
        if pointer == nil { pmc_crash_with_sigsegv() }
        below.free(pointer)
    }
}
