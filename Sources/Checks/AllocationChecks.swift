import AllocatorLayers
import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// The allocation functions of each domain: zero sizes, NULL, realloc, calloc, limits.
/// Each function checks one documented promise in every domain of the clause.
public enum AllocationChecks {
    /// size_t values that no allocator may grant: just above PY_SSIZE_T_MAX, and SIZE_MAX.
    static let aboveSsizeMax = [Int(bitPattern: UInt(Int.max) + 1), Int(bitPattern: UInt.max)]

    /// How many zero-size blocks are kept live at once.
    static let zeroSizeBlocks = 64

    /// malloc(0) gives distinct non-NULL pointers, as if malloc(1) had been called: many live at
    /// once beside blocks of other sizes, each written (one byte) and compared with all others.
    public static func zeroSizeMalloc(_ context: CheckContext) -> CheckVerdict {
        let write = !context.debugHooks
        return context.eachDomain { _, functions, evidence in
            zeroSizeBlocksAreDistinct(functions, &evidence, label: "malloc(0)", write: write) { _ in
                functions.malloc(0)
            }
        }
    }

    /// calloc(0, n), calloc(n, 0) and calloc(0, 0) give distinct non-NULL pointers, the same way.
    public static func zeroSizeCalloc(_ context: CheckContext) -> CheckVerdict {
        let pairs = [(0, 8), (8, 0), (0, 0)]
        let write = !context.debugHooks
        return context.eachDomain { _, functions, evidence in
            zeroSizeBlocksAreDistinct(
                functions, &evidence, label: "calloc with a zero argument", write: write, zeroed: true
            ) { index in
                functions.calloc(pairs[index % 3].0, pairs[index % 3].1)
            }
        }
    }

    /// Keeps `zeroSizeBlocks` zero-size blocks and as many 16-byte blocks live, writes one byte
    /// into each (`write`: a zero-size block is usable as one byte, "as if malloc(1)"), and
    /// checks every pointer distinct and every byte still its own. Under the debug hooks a
    /// zero-size block records size 0 and its trailing pad starts at p[0], so nothing is written
    /// there (Conformance/README.md).
    static func zeroSizeBlocksAreDistinct(
        _ functions: DomainFunctions, _ evidence: inout Evidence, label: String, write: Bool,
        zeroed: Bool = false, _ allocate: (Int) -> UnsafeMutableRawPointer?
    ) {
        var zero: [UnsafeMutableRawPointer] = []
        var others: [UnsafeMutableRawPointer] = []
        for index in 0..<zeroSizeBlocks {
            guard let block = allocate(index) else {
                evidence.add("\(label) call \(index) returned NULL")
                break
            }
            // Probed before it is touched: a block with no byte of its own (one past the end of
            // a block below) would crash the check instead of failing it.
            if write && !Memory.isReadable(block, count: 1) {
                evidence.add(
                    "\(label) call \(index) returned \(Bytes.hex(block)), whose one byte cannot be read: "
                        + "a zero-size request must give a usable block of its own, as if 1 byte had been asked for")
                functions.free(block)
                break
            }
            if write && zeroed {
                evidence.expect(
                    block.load(as: UInt8.self) == 0, "\(label) call \(index): the one usable byte is not zero")
            }
            if write { block.storeBytes(of: FillPattern.byte(index), as: UInt8.self) }
            zero.append(block)
            if let other = functions.malloc(16) {
                Bytes.fill(other, count: 16, seed: 200)
                others.append(other)
            }
        }
        let all = zero + others
        evidence.expect(
            Set(all).count == all.count,
            "\(label) gave a pointer already live "
                + "(\(all.count - Set(all).count) repeats among \(all.count) live blocks)")
        for (index, block) in zero.enumerated() where write {
            evidence.expect(
                block.load(as: UInt8.self) == FillPattern.byte(index),
                "\(label) block \(index) at \(Bytes.hex(block)) lost its byte: it is shared")
        }
        for other in others where Bytes.firstMismatch(other, count: 16, seed: 200) != nil {
            evidence.add("a 16-byte block at \(Bytes.hex(other)) was overwritten through a zero-size block")
        }
        for block in all { functions.free(block) }
    }

    /// realloc(NULL, n) acts as malloc(n): a usable block of n bytes (and non-NULL for n = 0).
    public static func reallocNullIsMalloc(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            for size in [0, 1, 64, 4096] {
                guard let block = functions.realloc(nil, size) else {
                    evidence.add("realloc(NULL, \(size)) returned NULL")
                    continue
                }
                Bytes.fill(block, count: size)
                evidence.expect(
                    Bytes.firstMismatch(block, count: size) == nil,
                    "realloc(NULL, \(size)) block does not hold what was written")
                functions.free(block)
            }
        }
    }

    /// realloc(p, 0) resizes to zero bytes without freeing: non-NULL, and freeable once, from
    /// blocks of every size band (pymalloc, the RAW fallback, mmap).
    public static func reallocToZeroResizes(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            for size in [1, 8, 100, 512, 513, 5000, 300_000] {
                guard let block = functions.malloc(size) else { return evidence.add("malloc(\(size)) returned NULL") }
                let resized = functions.realloc(block, 0)
                evidence.expect(resized != nil, "realloc(p, 0) of a \(size)-byte block returned NULL")
                // Else the block is left alone, and the rest not asked: a realloc(p, 0) that returns
                // NULL may have freed p, and freeing it again would crash the check, not fail it.
                guard let resized else { return }
                functions.free(resized)
            }
        }
    }

    /// free(NULL) does nothing: every live block keeps its contents, and allocation goes on.
    public static func freeNullIsNoOp(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            let sizes = [1, 16, 100, 512, 513, 4000, 70_000]
            let live = sizes.enumerated().compactMap { index, size -> (UnsafeMutableRawPointer, Int, UInt8)? in
                guard let block = functions.malloc(size) else { return nil }
                Bytes.fill(block, count: size, seed: UInt8(index))
                return (block, size, UInt8(index))
            }
            evidence.expect(live.count == sizes.count, "malloc returned NULL")
            for _ in 0..<3 { functions.free(nil) }
            for (block, size, seed) in live {
                evidence.expect(
                    Bytes.firstMismatch(block, count: size, seed: seed) == nil,
                    "free(NULL) changed a live \(size)-byte block")
            }
            let after = functions.malloc(16)
            evidence.expect(after != nil, "allocation failed after free(NULL)")
            functions.free(after)
            for block in live { functions.free(block.0) }
        }
    }

    /// Size pairs that shrink, grow, and cross pymalloc's 512-byte threshold both ways, plus
    /// every pymalloc size-class edge in both directions (the class size, one above, one below).
    static func resizes(_ version: PythonVersion) -> [(Int, Int)] {
        let step = version >= PythonVersion(3, 8) ? 16 : 8 // pymalloc's ALIGNMENT (bpo-27987 in 3.8)
        let edges = stride(from: step, through: 512, by: step).flatMap { size in
            [(size, size + 1), (size + 1, size), (size - 1, size), (size, size - 1)]
        }
        return edges + [
            (16, 64), (64, 16), (100, 600), (600, 100), (512, 513), (513, 512), (1, 100_000), (100_000, 7),
            (200_000, 400_000), (400_000, 200_000),
        ]
    }

    /// realloc keeps the contents up to min(old, new) size, the last byte included.
    public static func reallocKeepsContents(_ context: CheckContext) -> CheckVerdict {
        let pairs = resizes(context.version)
        return context.eachDomain { _, functions, evidence in
            for (old, new) in pairs where old > 0 && new > 0 {
                guard let block = functions.malloc(old) else { return evidence.add("malloc(\(old)) returned NULL") }
                Bytes.fill(block, count: old, seed: 3)
                guard let resized = functions.realloc(block, new) else {
                    functions.free(block)
                    return evidence.add("realloc(p, \(new)) from \(old) returned NULL")
                }
                if let offset = Bytes.firstMismatch(resized, count: min(old, new), seed: 3) {
                    evidence.add("realloc \(old)→\(new) lost byte \(offset) of the first \(min(old, new))")
                } else {
                    evidence.exercised()
                }
                functions.free(resized)
            }
        }
    }

    /// Sizes whose calloc is checked: every pymalloc class edge region, the 512/513 threshold,
    /// pages, and blocks above glibc's mmap threshold (128 KiB by default).
    static let callocSizes = [
        1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 257, 511, 512, 513,
        1024, 4096, 4097, 8192, 65_536, 200_000, 1 << 20,
    ]

    /// calloc returns zeroed memory, in both argument orders, even where the same sizes were
    /// just allocated, dirtied and freed (so a calloc that is only malloc gets dirty memory).
    public static func callocZeroes(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            for total in callocSizes {
                for (nelem, elsize) in [(total, 1), (1, total)] {
                    dirty(functions, size: total)
                    guard let block = functions.calloc(nelem, elsize) else {
                        return evidence.add("calloc(\(nelem), \(elsize)) returned NULL")
                    }
                    if let offset = Bytes.firstNot(0, in: block, 0..<total) {
                        let seen = String(block.load(fromByteOffset: offset, as: UInt8.self), radix: 16)
                        evidence.add("calloc(\(nelem), \(elsize)) byte \(offset) is 0x\(seen), not zero")
                    } else {
                        evidence.exercised()
                    }
                    functions.free(block)
                }
            }
        }
    }

    /// Allocates, fills and frees two blocks of `size`, so that the allocator has dirty memory of
    /// that size to hand out next (glibc raises its mmap threshold after the first large free).
    static func dirty(_ functions: DomainFunctions, size: Int) {
        for _ in 0..<2 {
            guard let block = functions.malloc(size) else { return }
            memset(block, 0xEE, size)
            functions.free(block)
        }
    }

    /// calloc whose nelem * elsize overflows size_t, or exceeds PY_SSIZE_T_MAX without
    /// overflowing, returns NULL, and the allocator is not even asked (a hook on top sees nothing).
    public static func callocOverflowFails(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { domain, functions, evidence in
            let half = Int(bitPattern: UInt.max / 2 + 1)
            let quarter = Int(bitPattern: UInt.max / 4 + 1)
            let pairs = [
                (half, 2), (2, half), (1 << 32, 1 << 32), (Int(bitPattern: UInt.max), Int(bitPattern: UInt.max)),
                (3, quarter),
            ]
            // A promise of the API, not of an allocator: certify does not ask it of a plugin.
            let layer = RecordingLayer.installOnTop(of: domain, in: context.library)
            layer.reset()
            for (nelem, elsize) in pairs {
                let block = functions.calloc(nelem, elsize)
                evidence.expect(
                    block == nil,
                    "calloc(\(UInt(bitPattern: nelem)), "
                        + "\(UInt(bitPattern: elsize))) cannot be met but returned \(Bytes.hex(block))")
                functions.free(block)
            }
            let asked = layer.calls.filter { call in
                call.function == .calloc && pairs.contains { $0 == (call.size, call.elementSize) }
            }
            layer.uninstall()
            evidence.expect(asked.isEmpty, "\(asked.count) of the impossible calloc requests reached the allocator")
        }
    }

    /// Sizes above PY_SSIZE_T_MAX make malloc, calloc and realloc return NULL.
    public static func aboveSsizeMaxFails(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            for size in aboveSsizeMax {
                let shown = UInt(bitPattern: size)
                let viaMalloc = functions.malloc(size)
                evidence.expect(viaMalloc == nil, "malloc(\(shown)) returned \(Bytes.hex(viaMalloc))")
                let viaCalloc = functions.calloc(1, size)
                evidence.expect(viaCalloc == nil, "calloc(1, \(shown)) returned \(Bytes.hex(viaCalloc))")
                let viaRealloc = functions.realloc(nil, size)
                evidence.expect(viaRealloc == nil, "realloc(NULL, \(shown)) returned \(Bytes.hex(viaRealloc))")
            }
        }
    }

    /// A realloc that cannot be satisfied (a size above PY_SSIZE_T_MAX) returns NULL and leaves
    /// the old block valid, intact and freeable.
    /// Called directly, the request is PY_SSIZE_T_MAX: the largest the API passes on to an
    /// allocator (it refuses anything above before the allocator is asked).
    public static func reallocFailureKeepsBlock(_ context: CheckContext) -> CheckVerdict {
        let impossible = context.direct == nil ? aboveSsizeMax : [Int.max]
        return context.eachDomain { _, functions, evidence in
            for old in [16, 600] {
                guard let block = functions.malloc(old) else { return evidence.add("malloc(\(old)) returned NULL") }
                Bytes.fill(block, count: old, seed: 9)
                for size in impossible {
                    let result = functions.realloc(block, size)
                    evidence.expect(
                        result == nil, "realloc(p, \(UInt(bitPattern: size))) returned \(Bytes.hex(result))")
                    if let offset = Bytes.firstMismatch(block, count: old, seed: 9) {
                        evidence.add("after a failed realloc the \(old)-byte block changed at byte \(offset)")
                    }
                }
                // Still a valid block: it can be resized and freed.
                let grown = functions.realloc(block, old * 2)
                evidence.expect(grown != nil, "the block kept by a failed realloc cannot be resized")
                functions.free(grown ?? block)
            }
        }
    }

    /// The alignment every block has at least: a pointer's (8 bytes). pymalloc aligns to 16
    /// from 3.8 (bpo-27987) but mimalloc gives 8-byte blocks 8-byte alignment, and the
    /// documents promise no more than memory usable for C objects.
    static func alignment(_ version: PythonVersion) -> Int { MemoryLayout<UnsafeRawPointer>.alignment }

    /// Live blocks never overlap, and each is aligned and spans its size: blocks from malloc,
    /// calloc and realloc of mixed sizes, each filled with its own pattern, then every range
    /// compared with its neighbours and every block with its pattern. Sizes one above a multiple
    /// of 16 put a block that is short at its end right at a guard page of a layer below.
    public static func blocksDoNotOverlap(_ context: CheckContext) -> CheckVerdict {
        let align = alignment(context.version)
        return context.eachDomain { _, functions, evidence in
            let sizes = (0..<400).map { [1, 8, 24, 255, 512, 513, 4000, 100, 17, 4097][$0 % 10] }
            var blocks: [(block: UnsafeMutableRawPointer, size: Int, seed: UInt8)] = []
            for (index, size) in sizes.enumerated() {
                let block: UnsafeMutableRawPointer?
                switch index % 3 {
                case 0: block = functions.malloc(size)
                case 1: block = functions.calloc(size, 1)
                default: block = functions.malloc(size / 2 + 1).flatMap { functions.realloc($0, size) }
                }
                guard let block else {
                    evidence.add("allocation \(index) of \(size) bytes returned NULL")
                    continue
                }
                // Probed before it is written: a short block would crash the check, not fail it.
                guard Memory.isReadable(block + (size - 1), count: 1) else {
                    evidence.add("allocation \(index) of \(size) bytes gave a block whose last byte cannot be read")
                    continue
                }
                let seed = UInt8(truncatingIfNeeded: index)
                Bytes.fill(block, count: size, seed: seed)
                blocks.append((block, size, seed))
            }
            for (block, _, _) in blocks where Int(bitPattern: block) % align != 0 {
                evidence.add("block \(Bytes.hex(block)) is not \(align)-byte aligned")
            }
            let ranges = blocks.map { (UInt(bitPattern: $0.block), UInt($0.size)) }.sorted { $0.0 < $1.0 }
            for (left, right) in zip(ranges, ranges.dropFirst()) where left.0 + left.1 > right.0 {
                evidence.add(
                    "blocks at 0x\(String(left.0, radix: 16)) (+\(left.1)) and 0x\(String(right.0, radix: 16)) overlap"
                )
            }
            for (index, (block, size, seed)) in blocks.enumerated() {
                evidence.expect(
                    Bytes.firstMismatch(block, count: size, seed: seed) == nil,
                    "block \(index) at \(Bytes.hex(block)) was overwritten through another live block")
            }
            for block in blocks { functions.free(block.block) }
        }
    }
}
