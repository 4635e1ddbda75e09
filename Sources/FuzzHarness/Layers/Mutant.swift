import CPythonABI
import Foundation
import Glibc
import Isolation
import Oracle

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

    /// The invariants (oracle findings, or the violation runs' report checks) the defect breaks:
    /// only a finding that names one of them is a detection of this mutant. Anything else it
    /// makes go wrong (a leak, a crash later on) is a consequence, not evidence of the defect.
    public var breaks: Set<Invariant> {
        switch self {
        case .zeroSizeNull, .reallocNullFails: return [.nonNull]
        case .zeroSizeSamePointer: return [.distinct, .noOverlap]
        case .reallocFailureFreesBlock: return [.failureKeepsBlock]
        case .reallocLosesPast64: return [.contentsKept]
        case .callocNoZeroLarge: return [.callocZeroed]
        // A wrapped product is a block too small for the request, or one given for a request
        // that cannot be met.
        case .callocOverflowWraps: return [.mustFail, .blockSize]
        // No debug hooks: no header, no CLEANBYTE fill, and no report for a violation.
        case .dropsDebugHooks: return [.debugLayout, .cleanByte, .violationDetected]
        // realloc(p, 0) must give a block; the old one is gone.
        case .reallocZeroFrees: return [.nonNull, .failureKeepsBlock]
        // The debug header records n-1 bytes; a pad write is reported at the wrong offset.
        // The block is a byte short (called directly, its last byte cannot be read).
        case .mallocShortByOne: return [.blockSize, .debugLayout, .violationReport]
        case .freeNullCrashes: return []
        }
    }

    /// The signal a defect that necessarily crashes ends the process with; nil for the others,
    /// for which a crash is never a detection.
    public var crashSignal: Int32? {
        self == .freeNullCrashes ? SIGSEGV : nil
    }

    /// What in `findings` (or the process's end by `signal`) is a detection of this mutant:
    /// "invariant NAME" or "crash SIGNAME", or nil when nothing there is tied to the defect.
    public func detection(in findings: [Finding], signal: Int32? = nil) -> String? {
        if let finding = findings.first(where: { breaks.contains($0.invariant) }) {
            return "invariant \(finding.invariant.rawValue)"
        }
        let signals = [signal] + findings.filter { $0.invariant == .noCrash }.map(\.signal)
        if let expected = crashSignal, signals.contains(expected) {
            return "crash \(ChildOutcome.signalName(expected))"
        }
        return nil
    }

    /// Whether it is installed before initialisation (a replacement) rather than on top after.
    var replacesBeforeInitialisation: Bool { self == .dropsDebugHooks }
}

final class MutantLayer: AllocatorHook, @unchecked Sendable {
    let kind: MutantKind
    private let lock = NSLock()
    private var zeroBlock: UnsafeMutableRawPointer?

    init(kind: MutantKind, below: PMCMemAllocatorExBox) {
        self.kind = kind
        super.init(below: below)
    }

    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        switch kind {
        case .zeroSizeNull where size == 0: return nil
        case .zeroSizeSamePointer where size == 0: return sharedZeroBlock()
        case .mallocShortByOne where size > 0: return below.malloc(size - 1)
        default: return below.malloc(size)
        }
    }

    override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
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

    override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if pointer == nil && kind == .reallocNullFails { return nil }
        if let pointer, pointer == lock.withLock({ zeroBlock }) { return below.malloc(size) }
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

    override func free(_ pointer: UnsafeMutableRawPointer?) {
        if pointer == nil && kind == .freeNullCrashes {
            // The planted defect: a NULL dereference, as a careless allocator would do.
            pmc_crash_with_sigsegv()
        }
        if let pointer, pointer == lock.withLock({ zeroBlock }) { return }
        below.free(pointer)
    }

    private func sharedZeroBlock() -> UnsafeMutableRawPointer? {
        lock.withLock {
            if zeroBlock == nil { zeroBlock = below.malloc(1) }
            return zeroBlock
        }
    }
}
