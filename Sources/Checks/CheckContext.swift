import ClauseCatalogue
import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// What a check sees: the running target, its mode, and the clause it checks.
public struct CheckContext {
    public let runtime: PythonRuntime
    public let clause: Clause
    /// What a negative control plants where no allocator layer reaches (empty in real runs).
    public var seams = ControlSeams()
    /// An allocator's own functions, called directly instead of CPython's API (certify asks a
    /// plugin's functions the clauses of the direct contract this way): no debug hooks are in
    /// front of them, and nothing of CPython's filters what they are asked.
    public var direct: ((AllocatorDomain) -> DomainFunctions)?

    public init(runtime: PythonRuntime, clause: Clause) {
        self.runtime = runtime
        self.clause = clause
    }

    public var library: PythonLibrary { runtime.library }
    public var version: PythonVersion { runtime.version }
    public var mode: AllocatorMode { runtime.mode }
    public var target: PythonTarget { runtime.target }
    public var debugHooks: Bool { direct == nil && mode.expectsDebugHooks(debugBuild: target.debugBuild) }

    /// The domains the clause covers (all three when it names none).
    public var domains: [AllocatorDomain] {
        clause.allocatorDomains.isEmpty ? AllocatorDomain.allCases : clause.allocatorDomains
    }

    /// Runs `body` once per domain of the clause, collecting the problems of all of them, each
    /// prefixed with the C function family it concerns (not for functions called directly:
    /// they are not that family, and whoever runs them names them).
    public func eachDomain(_ body: (AllocatorDomain, DomainFunctions, inout Evidence) -> Void) -> CheckVerdict {
        var all = Evidence()
        for domain in domains {
            var evidence = Evidence()
            body(domain, direct?(domain) ?? seams.functions?(domain) ?? library.functions(domain), &evidence)
            all.merge(evidence, prefix: direct == nil ? "\(domain.functionPrefix)*: " : "")
        }
        return all.verdict
    }
}

/// Small readers and writers of raw blocks, used by many checks.
public enum Bytes {
    public static func fill(_ block: UnsafeMutableRawPointer, count: Int, seed: UInt8 = 0) {
        for index in 0..<count {
            block.storeBytes(of: FillPattern.byte(index, seed: seed), toByteOffset: index, as: UInt8.self)
        }
    }

    /// The first offset below `count` where the block differs from the pattern, or nil.
    public static func firstMismatch(_ block: UnsafeMutableRawPointer, count: Int, seed: UInt8 = 0) -> Int? {
        (0..<count).first { block.load(fromByteOffset: $0, as: UInt8.self) != FillPattern.byte($0, seed: seed) }
    }

    /// The first offset in range whose byte is not `value`, or nil. Compared a page at a time
    /// with memcmp against a page of `value` (large blocks are read whole, and fast).
    public static func firstNot(_ value: UInt8, in block: UnsafeRawPointer, _ range: Range<Int>) -> Int? {
        let page = Self.page(of: value)
        var start = range.lowerBound
        while start < range.upperBound {
            let length = min(pageSize, range.upperBound - start)
            if memcmp(block + start, page, length) != 0 {
                return (start..<start + length).first { block.load(fromByteOffset: $0, as: UInt8.self) != value }
            }
            start += length
        }
        return nil
    }

    static let pageSize = 4096
    private static let pages = Locked<[UInt8: UnsafeMutableRawPointer]>([:])

    /// A page filled with `value`, made once and kept.
    private static func page(of value: UInt8) -> UnsafeRawPointer {
        UnsafeRawPointer(
            pages.withLock { pages in
                if let page = pages[value] { return page }
                let page = UnsafeMutableRawPointer.allocate(byteCount: pageSize, alignment: 16)
                memset(page, Int32(value), pageSize)
                pages[value] = page
                return page
            })
    }

    public static func hex(_ pointer: UnsafeMutableRawPointer?) -> String {
        pointer.map { "0x" + String(UInt(bitPattern: $0), radix: 16) } ?? "NULL"
    }
}
