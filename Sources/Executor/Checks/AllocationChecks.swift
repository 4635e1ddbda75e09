import PyRuntime

/// The allocation functions of each domain: zero sizes, NULL, realloc, calloc, limits.
/// Each function checks one documented promise in every domain of the clause.
public enum AllocationChecks {
    /// size_t values that no allocator may grant: just above PY_SSIZE_T_MAX, and SIZE_MAX.
    static let aboveSsizeMax = [Int(bitPattern: UInt(Int.max) + 1), Int(bitPattern: UInt.max)]

    /// malloc(0) gives distinct non-NULL pointers, as if malloc(1) had been called.
    public static func zeroSizeMalloc(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            let first = functions.malloc(0), second = functions.malloc(0)
            evidence.expect(first != nil && second != nil, "malloc(0) gave \(Bytes.hex(first)), \(Bytes.hex(second))")
            evidence.expect(first == nil || first != second, "two malloc(0) calls gave the same pointer \(Bytes.hex(first))")
            functions.free(first)
            functions.free(second)
        }
    }

    /// calloc(0, n), calloc(n, 0) and calloc(0, 0) give distinct non-NULL pointers.
    public static func zeroSizeCalloc(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            let blocks = [(0, 8), (8, 0), (0, 0)].map { ($0, $1, functions.calloc($0, $1)) }
            for (nelem, elsize, block) in blocks {
                evidence.expect(block != nil, "calloc(\(nelem), \(elsize)) returned NULL")
            }
            let pointers = blocks.compactMap(\.2)
            evidence.expect(Set(pointers).count == pointers.count, "zero-size calloc calls returned the same pointer twice")
            pointers.forEach { functions.free($0) }
        }
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
                evidence.expect(Bytes.firstMismatch(block, count: size) == nil, "realloc(NULL, \(size)) block does not hold what was written")
                functions.free(block)
            }
        }
    }

    /// realloc(p, 0) resizes to zero bytes without freeing: non-NULL, and freeable once.
    public static func reallocToZeroResizes(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            guard let block = functions.malloc(32) else { return evidence.add("malloc(32) returned NULL") }
            let resized = functions.realloc(block, 0)
            evidence.expect(resized != nil, "realloc(p, 0) returned NULL")
            functions.free(resized ?? block)
        }
    }

    /// free(NULL) does nothing (and does not crash, with or without the debug hooks).
    public static func freeNullIsNoOp(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            functions.free(nil)
            let block = functions.malloc(16)
            evidence.expect(block != nil, "allocation failed after free(NULL)")
            functions.free(block)
        }
    }

    /// Size pairs that shrink, grow, and cross pymalloc's 512-byte threshold both ways.
    static let resizes = [(16, 64), (64, 16), (100, 600), (600, 100), (512, 513), (513, 512), (1, 100_000), (100_000, 7)]

    /// realloc keeps the contents up to min(old, new) size.
    public static func reallocKeepsContents(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            for (old, new) in resizes {
                guard let block = functions.malloc(old) else { return evidence.add("malloc(\(old)) returned NULL") }
                Bytes.fill(block, count: old, seed: 3)
                guard let resized = functions.realloc(block, new) else {
                    functions.free(block)
                    return evidence.add("realloc(p, \(new)) from \(old) returned NULL")
                }
                if let offset = Bytes.firstMismatch(resized, count: min(old, new), seed: 3) {
                    evidence.add("realloc \(old)→\(new) lost byte \(offset) of the first \(min(old, new))")
                }
                functions.free(resized)
            }
        }
    }

    /// calloc returns zeroed memory, small and large, in both argument orders.
    public static func callocZeroes(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            for (nelem, elsize) in [(1, 1), (3, 7), (7, 3), (1, 512), (513, 1), (64, 1024), (1, 1 << 20)] {
                guard let block = functions.calloc(nelem, elsize) else { return evidence.add("calloc(\(nelem), \(elsize)) returned NULL") }
                if let offset = Bytes.firstNot(0, in: block, 0..<(nelem * elsize)) {
                    evidence.add("calloc(\(nelem), \(elsize)) byte \(offset) is not zero")
                }
                functions.free(block)
            }
        }
    }

    /// calloc whose nelem * elsize overflows size_t returns NULL.
    public static func callocOverflowFails(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            let half = Int(bitPattern: UInt.max / 2 + 1)
            for (nelem, elsize) in [(half, 2), (2, half), (1 << 32, 1 << 32), (Int(bitPattern: UInt.max), Int(bitPattern: UInt.max))] {
                let block = functions.calloc(nelem, elsize)
                evidence.expect(block == nil, "calloc(\(UInt(bitPattern: nelem)), \(UInt(bitPattern: elsize))) overflows but returned \(Bytes.hex(block))")
                functions.free(block)
            }
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
    public static func reallocFailureKeepsBlock(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            for old in [16, 600] {
                guard let block = functions.malloc(old) else { return evidence.add("malloc(\(old)) returned NULL") }
                Bytes.fill(block, count: old, seed: 9)
                for size in aboveSsizeMax {
                    let result = functions.realloc(block, size)
                    evidence.expect(result == nil, "realloc(p, \(UInt(bitPattern: size))) returned \(Bytes.hex(result))")
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

    /// Live blocks never overlap: many blocks of mixed sizes, all distinct ranges.
    public static func blocksDoNotOverlap(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            let sizes = (0..<400).map { [0, 1, 8, 24, 255, 512, 513, 4000][$0 % 8] }
            let blocks = sizes.map { (functions.malloc($0), max($0, 1)) }
            let ranges = blocks.compactMap { block, size in block.map { (UInt(bitPattern: $0), UInt(size)) } }.sorted { $0.0 < $1.0 }
            evidence.expect(ranges.count == blocks.count, "\(blocks.count - ranges.count) allocations returned NULL")
            for (left, right) in zip(ranges, ranges.dropFirst()) where left.0 + left.1 > right.0 {
                evidence.add("blocks at 0x\(String(left.0, radix: 16)) (+\(left.1)) and 0x\(String(right.0, radix: 16)) overlap")
                break
            }
            blocks.forEach { functions.free($0.0) }
        }
    }

    /// Blocks are aligned for any C type (16 bytes on x86-64 from 3.8 for pymalloc, 8 at least).
    public static func alignment(_ context: CheckContext, bytes: Int) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            for size in [1, 8, 24, 100, 512, 513, 5000] {
                guard let block = functions.malloc(size) else { return evidence.add("malloc(\(size)) returned NULL") }
                evidence.expect(Int(bitPattern: block) % bytes == 0, "malloc(\(size)) = \(Bytes.hex(block)) is not \(bytes)-byte aligned")
                functions.free(block)
            }
        }
    }
}
