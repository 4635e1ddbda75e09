import AllocatorLayers
import Checks
import Foundation
import PyRuntime
import Vocabulary

/// The debug hooks' in-process promises: fill bytes, pads, header layout. (What they detect is
/// checked by expected-fatal clauses, in ViolationChecks.)
public enum DebugHookChecks {
    static let word = BlockLayout.wordSize

    /// Fresh blocks are filled with CLEANBYTE (0xCB before 3.7, 0xCD after).
    public static func cleanByteOnMalloc(_ context: CheckContext) -> CheckVerdict {
        let clean = context.version.debugBytes.clean
        var observed: [String] = []
        let verdict = context.eachDomain { domain, functions, evidence in
            // What the allocator below hands the hooks is marked first, so that a byte the hooks
            // leave unwritten reads "kept" whatever the memory held before (a free-threaded
            // build leaves an object's first words alone): the observation is the same every run.
            let under = RecordingLayer.installUnderDebugHooks(of: domain, in: context.library)
            defer { under?.uninstall() }
            under?.afterMalloc = { block, size in memset(block, Int32(shrinkFill), size) }
            var runs: [String] = []
            for size in [1, 16, 100, 513, 4096] {
                guard let block = functions.malloc(size) else { return evidence.add("malloc(\(size)) returned NULL") }
                let bytes = (0..<size).map { block.load(fromByteOffset: $0, as: UInt8.self) }
                if let offset = bytes.firstIndex(where: { $0 != clean }) {
                    evidence.add(
                        "malloc(\(size)) byte \(offset) is 0x\(String(bytes[offset], radix: 16)), "
                            + "not CLEANBYTE 0x\(String(clean, radix: 16))")
                    runs.append("malloc(\(size)) \(byteRuns(bytes, hookByte: clean, hookWord: "clean"))")
                } else {
                    evidence.exercised()
                }
                functions.free(block)
            }
            if !runs.isEmpty { observed.append("\(domain.functionPrefix)*: " + runs.joined(separator: ", ")) }
        }
        return verdict.observing(observed.isEmpty ? nil : observed.joined(separator: "; "))
    }

    /// realloc that grows fills the new part with CLEANBYTE and keeps the old part.
    public static func cleanByteOnGrow(_ context: CheckContext) -> CheckVerdict {
        let clean = context.version.debugBytes.clean
        return context.eachDomain { _, functions, evidence in
            for (old, new) in [(16, 64), (100, 1000), (600, 601)] {
                guard let block = functions.malloc(old) else { return evidence.add("malloc(\(old)) returned NULL") }
                Bytes.fill(block, count: old)
                guard let grown = functions.realloc(block, new) else {
                    return evidence.add("realloc to \(new) returned NULL")
                }
                evidence.expect(
                    Bytes.firstNot(clean, in: grown, old..<new) == nil,
                    "realloc \(old)→\(new): a grown byte is not CLEANBYTE")
                evidence.expect(
                    Bytes.firstMismatch(grown, count: old) == nil,
                    "realloc \(old)→\(new) lost old bytes")
                functions.free(grown)
            }
        }
    }

    /// Every block carries the layout: size big-endian at p-2S, the API id at p-S, S-1
    /// FORBIDDENBYTEs before the data and S after it.
    public static func blockLayout(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { domain, functions, evidence in
            for size in [0, 1, 24, 512, 513, 10_000] {
                guard let block = functions.malloc(size) else { return evidence.add("malloc(\(size)) returned NULL") }
                let layout = BlockLayout(block: block, requested: size, domain: domain)
                evidence.expect(layout.headerSize == size, "malloc(\(size)): header size reads \(layout.headerSize)")
                evidence.expect(
                    layout.apiID == String(domain.apiID),
                    "malloc(\(size)): API id '\(layout.apiID)', expected '\(domain.apiID)'")
                let forbidden = context.version.debugBytes.forbidden
                evidence.expect(
                    layout.leadingPad.allSatisfy { $0 == forbidden },
                    "malloc(\(size)): leading pad \(layout.leadingPad)")
                evidence.expect(
                    layout.trailingPad.allSatisfy { $0 == forbidden },
                    "malloc(\(size)): trailing pad \(layout.trailingPad)")
                functions.free(block)
            }
        }
    }

    /// The pads and header follow a block through realloc and calloc too.
    public static func layoutAfterReallocAndCalloc(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { domain, functions, evidence in
            guard let block = functions.calloc(5, 9), let resized = functions.realloc(block, 300) else {
                return evidence.add("calloc/realloc returned NULL")
            }
            let layout = BlockLayout(block: resized, requested: 300, domain: domain)
            let forbidden = context.version.debugBytes.forbidden
            evidence.expect(
                layout.headerSize == 300 && layout.apiID == String(domain.apiID),
                "after calloc+realloc: size \(layout.headerSize), API '\(layout.apiID)'")
            evidence.expect(
                (layout.leadingPad + layout.trailingPad).allSatisfy { $0 == forbidden },
                "after calloc+realloc: pads \(layout.leadingPad) \(layout.trailingPad)")
            evidence.expect(Bytes.firstNot(0, in: resized, 0..<45) == nil, "calloc's zeroes were not kept by realloc")
            functions.free(resized)
        }
    }

    /// free fills the whole block (header, pads, data) with DEADBYTE before releasing it: seen
    /// from a layer under the hooks, as the block reaches the allocator below.
    public static func deadByteOnFree(_ context: CheckContext) -> CheckVerdict {
        let dead = context.version.debugBytes.dead
        var observed: [String] = []
        let verdict = eachDomainUnderTheHooks(context) { domain, functions, under, evidence in
            var runs: [String] = []
            for size in [8, 100] {
                guard let block = functions.malloc(size) else { return evidence.add("malloc(\(size)) returned NULL") }
                let head = block - BlockLayout.headerLength
                let total = size + context.version.debugHookOverhead
                // Data written before the free, so that a byte the hooks do not erase reads "kept".
                memset(block, Int32(shrinkFill), size)
                var seen: [UInt8] = []
                under.beforeFree = { pointer in
                    if pointer == head { seen = (0..<total).map { pointer.load(fromByteOffset: $0, as: UInt8.self) } }
                }
                functions.free(block)
                under.beforeFree = nil
                evidence.expect(
                    seen.count == total, "free(\(size)-byte block) did not reach the allocator below with its header")
                if let offset = seen.firstIndex(where: { $0 != dead }) {
                    evidence.add(
                        "free of a \(size)-byte block: byte " + "\(offset - BlockLayout.headerLength) (from p) is "
                            + "0x\(String(seen[offset], radix: 16)), not DEADBYTE")
                    runs.append("free(\(size)) \(byteRuns(seen, hookByte: dead, hookWord: "dead"))")
                }
            }
            if !runs.isEmpty { observed.append("\(domain.functionPrefix)*: " + runs.joined(separator: ", ")) }
        }
        return verdict.observing(observed.isEmpty ? nil : observed.joined(separator: "; "))
    }

    /// realloc that shrinks marks the bytes it gives up with DEADBYTE before resizing.
    public static func deadByteOnShrink(_ context: CheckContext) -> CheckVerdict {
        let dead = context.version.debugBytes.dead
        var observed: [String] = []
        let verdict = eachDomainUnderTheHooks(context) { _, functions, under, evidence in
            let (old, new) = (200, 50)
            guard let block = functions.malloc(old) else { return evidence.add("malloc(\(old)) returned NULL") }
            memset(block, Int32(shrinkFill), old)
            var given: [UInt8] = []
            under.beforeRealloc = { pointer, _ in
                if pointer == block - BlockLayout.headerLength {
                    given = (new..<old).map { block.load(fromByteOffset: $0, as: UInt8.self) }
                }
            }
            let shrunk = functions.realloc(block, new)
            under.beforeRealloc = nil
            evidence.expect(!given.isEmpty, "realloc did not reach the allocator below with the block's head")
            if !given.isEmpty {
                let runs = shrinkRuns(given, dead: dead)
                evidence.expect(
                    given.allSatisfy { $0 == dead },
                    "realloc \(old)→\(new): the \(old - new) bytes given up were, when resized: \(runs)")
                observed.append(runs)
            }
            functions.free(shrunk ?? block)
        }
        return verdict.observing(
            observed.count == 1 || Set(observed).count == 1 ? observed.first : observed.joined(separator: " | "))
    }

    /// Runs `body` once per domain with a recording layer under the domain's debug hook, where
    /// the blocks reach the allocator below as the hooks leave them; taken out again after.
    static func eachDomainUnderTheHooks(
        _ context: CheckContext, _ body: (AllocatorDomain, DomainFunctions, RecordingLayer, inout Evidence) -> Void
    ) -> CheckVerdict {
        context.eachDomain { domain, functions, evidence in
            guard let under = RecordingLayer.installUnderDebugHooks(of: domain, in: context.library) else {
                return evidence.add("the debug hooks are not on top of this domain")
            }
            defer { under.uninstall() }
            body(domain, functions, under, &evidence)
        }
    }

    /// What the shrink check writes: no debug-hook byte of any version has this value, so
    /// that kept data cannot pass for DEADBYTE.
    static let shrinkFill: UInt8 = 0x5A

    /// The bytes a shrink gave up, as runs: "dead 64, kept 22, dead 64" (DEADBYTE, the data
    /// written, anything else), the words a deviation records.
    static func shrinkRuns(_ bytes: [UInt8], dead: UInt8) -> String {
        byteRuns(bytes, hookByte: dead, hookWord: "dead")
    }

    /// Bytes as runs of the hooks' byte (`hookWord`), of shrinkFill ("kept") and of anything else.
    static func byteRuns(_ bytes: [UInt8], hookByte: UInt8, hookWord: String) -> String {
        var runs: [(String, Int)] = []
        for byte in bytes {
            let kind = byte == hookByte ? hookWord : byte == shrinkFill ? "kept" : "other"
            if runs.last?.0 == kind { runs[runs.count - 1].1 += 1 } else { runs.append((kind, 1)) }
        }
        return runs.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    }

    /// The debug hooks are installed (PyMem_SetupDebugHooks or a *debug mode): each domain's
    /// allocator is the hook, with the API id in its ctx.
    public static func hooksInstalled(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { domain, _, evidence in
            evidence.expect(context.library.debugHooksInstalled(domain), "the \(domain) domain has no debug hook")
        }
    }
}
