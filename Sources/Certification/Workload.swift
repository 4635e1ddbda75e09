import AllocatorLayers
import CPythonABI
import Checks
import Foundation
import FuzzHarness
import PyRuntime

/// A long mixed workload on a plugin's functions: malloc, calloc, realloc both ways and free
/// over a live set of blocks, sizes in every band (zero, pymalloc's small classes, the RAW
/// fallback, pages, above the mmap threshold), each block filled with its own byte and
/// compared whole whenever it is resized or freed. Deterministic: the same calls every run.
enum Workload {
    static let calls = 100_000
    static let liveLimit = 64

    struct Block {
        let pointer: UnsafeMutableRawPointer
        let size: Int
        let seed: UInt8
    }

    /// The workload on a domain's plugin functions with the guard pages below off: what it
    /// looks for is a defect that needs warm-up, not a stray access (the edges look for those).
    static func unguarded(_ installed: AllocatorPlugin.Installed) -> [PartProblem] {
        installed.guardBlocks(false)
        defer { installed.guardBlocks(true) }
        return run(installed.directFunctions, calls: calls)
    }

    /// The first problems found (at most a few), none when the plugin held up.
    static func run(_ hook: DomainFunctions, calls: Int) -> [PartProblem] {
        var random = ProgramGenerator(seed: 0x5EED)
        var live: [Block] = []
        var problems: [PartProblem] = []
        for call in 0..<calls where problems.count < 3 {
            let choice = random.word() % 10
            if live.isEmpty || (choice < 4 && live.count < liveLimit) {
                let size = band(&random)
                let viaCalloc = choice == 0
                guard let pointer = viaCalloc ? hook.calloc(1, size) : hook.malloc(size) else {
                    problems.append(
                        PartProblem(
                            "", [.nonNull],
                            "call \(call): \(viaCalloc ? "calloc(1, " : "malloc(")\(size)) returned NULL"))
                    continue
                }
                if viaCalloc, let offset = Bytes.firstNot(0, in: pointer, 0..<size) {
                    problems.append(
                        PartProblem("", [.callocZeroed], "call \(call): calloc(1, \(size)) byte \(offset) is not zero")
                    )
                }
                let block = Block(pointer: pointer, size: size, seed: UInt8(truncatingIfNeeded: call % 255 + 1))
                fill(block)
                live.append(block)
            } else {
                let index = Int(random.word() % UInt64(live.count))
                let block = live[index]
                if let offset = mismatch(block, count: block.size) {
                    let what = "a live \(block.size)-byte block changed at byte \(offset) (shared, or overwritten)"
                    problems.append(PartProblem("", [.noOverlap], "call \(call): \(what)"))
                }
                if choice < 7 {
                    let size = band(&random)
                    guard let moved = hook.realloc(block.pointer, size) else {
                        problems.append(
                            PartProblem("", [.nonNull], "call \(call): realloc \(block.size)→\(size) returned NULL"))
                        live.remove(at: index) // kept or not, it is not touched again
                        continue
                    }
                    let resized = Block(pointer: moved, size: size, seed: block.seed)
                    if let offset = mismatch(resized, count: min(block.size, size)) {
                        let what = "realloc \(block.size)→\(size) lost byte \(offset)"
                        problems.append(PartProblem("", [.contentsKept], "call \(call): \(what)"))
                    }
                    fill(resized)
                    live[index] = resized
                } else {
                    hook.free(block.pointer)
                    live.remove(at: index)
                }
            }
        }
        for block in live { hook.free(block.pointer) }
        return problems
    }

    /// A size: zero now and then, mostly small, some medium, rarely above the mmap threshold.
    static func band(_ random: inout ProgramGenerator) -> Int {
        let pick = random.word()
        switch pick % 100 {
        case 0..<3: return 0
        case 3..<60: return Int(pick >> 8 % 512) + 1
        case 60..<90: return Int(pick >> 8 % 4096) + 513
        case 90..<99: return Int(pick >> 8 % 61_440) + 4097
        default: return Int(pick >> 8 % (1 << 20)) + 131_073
        }
    }

    static func fill(_ block: Block) { memset(block.pointer, Int32(block.seed), block.size) }

    static func mismatch(_ block: Block, count: Int) -> Int? {
        Bytes.firstNot(block.seed, in: block.pointer, 0..<count)
    }
}
