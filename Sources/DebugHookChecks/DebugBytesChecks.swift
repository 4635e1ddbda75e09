import AllocatorLayers
import Checks
import DebugReport
import Foundation
import PyRuntime
import Vocabulary

/// The byte values and block overhead the documents give for each version. These read the
/// documented values, not the measured ones (PythonVersion.debugBytes), so that a target that
/// departs from the documents shows up as a deviation of these clauses.
public enum DebugBytesChecks {
    static let word = BlockLayout.wordSize

    /// A fresh block's data is `clean`, its pads `forbidden`, and a freed block reaches the
    /// allocator below the hooks filled with `dead`.
    /// The observation names the bytes seen, as a deviation records them
    /// ("clean 0xCD, dead 0xDD, forbidden 0xFD").
    public static func documentedBytes(_ context: CheckContext, _ documented: DebugFillBytes) -> CheckVerdict {
        let (clean, dead, forbidden) = (documented.clean, documented.dead, documented.forbidden)
        var seen: [String] = []
        let verdict = context.eachDomain { domain, functions, evidence in
            // The allocator below hands the hooks marked memory and the data is marked before the
            // free, so that bytes the hooks leave alone read 0x5A whatever the memory held before.
            let marking = RecordingLayer.installUnderDebugHooks(of: domain, in: context.library)
            marking?.afterMalloc = { block, size in memset(block, Int32(DebugHookChecks.shrinkFill), size) }
            let fresh = functions.malloc(32)
            marking?.uninstall()
            guard let block = fresh else { return evidence.add("malloc(32) returned NULL") }
            let layout = BlockLayout(block: block, requested: 32, domain: domain)
            let data = (0..<32).map { block.load(fromByteOffset: $0, as: UInt8.self) }
            evidence.expect(
                data.allSatisfy { $0 == clean },
                "fresh data is \(hexBytes(Set(data))), documented CLEANBYTE \(hex(clean))")
            let pads = layout.leadingPad + layout.trailingPad
            evidence.expect(
                pads.allSatisfy { $0 == forbidden },
                "pads are \(hexBytes(Set(pads))), documented FORBIDDENBYTE \(hex(forbidden))")
            guard let under = RecordingLayer.installUnderDebugHooks(of: domain, in: context.library) else {
                functions.free(block)
                return evidence.add("the debug hooks are not on top of this domain")
            }
            memset(block, Int32(DebugHookChecks.shrinkFill), 32)
            var freed: [UInt8] = []
            under.beforeFree = { pointer in
                let header = BlockLayout.headerLength
                if pointer == block - header {
                    freed = (header..<header + 32).map { pointer.load(fromByteOffset: $0, as: UInt8.self) }
                }
            }
            functions.free(block)
            under.uninstall()
            evidence.expect(
                !freed.isEmpty && freed.allSatisfy { $0 == dead },
                "freed data is \(hexBytes(Set(freed))), documented DEADBYTE \(hex(dead))")
            seen.append("clean \(hexBytes(Set(data))), dead \(hexBytes(Set(freed))), forbidden \(hexBytes(Set(pads)))")
        }
        return verdict.observing(Set(seen).count == 1 ? seen.first : seen.joined(separator: " | "))
    }

    /// malloc(N) reaches the allocator below the hooks as a request of N + words × S bytes.
    public static func overhead(_ context: CheckContext, words: Int) -> CheckVerdict {
        context.eachDomain { domain, functions, evidence in
            guard let under = RecordingLayer.installUnderDebugHooks(of: domain, in: context.library) else {
                return evidence.add("the debug hooks are not on top of this domain")
            }
            defer { under.uninstall() }
            for size in [1, 40, 1000] {
                under.reset()
                functions.free(functions.malloc(size))
                let requested = under.calls.first { $0.function == .malloc }?.size
                evidence.expect(
                    requested == size + words * word,
                    "malloc(\(size)) asked the allocator below for "
                        + "\(requested.map(String.init) ?? "nothing"), expected " + "\(size) + \(words)×\(word)")
            }
        }
    }

    /// 3.6/3.7: p[N+S:N+2S] holds the serial number, big-endian, one more for every call to a
    /// debug-hook malloc or realloc.
    public static func serialNumberIncrements(_ context: CheckContext) -> CheckVerdict {
        context.eachDomain { _, functions, evidence in
            func serial(_ block: UnsafeMutableRawPointer, _ size: Int) -> Int {
                (0..<word).reduce(0) { ($0 << 8) | Int(block.load(fromByteOffset: size + word + $1, as: UInt8.self)) }
            }
            guard let first = functions.malloc(16), let second = functions.malloc(40) else {
                return evidence.add("malloc returned NULL")
            }
            let (a, b) = (serial(first, 16), serial(second, 40))
            evidence.expect(
                b == a + 1, "two mallocs in a row got serial numbers \(a) and \(b), not n and n+1 (big-endian)")
            guard let grown = functions.realloc(second, 100) else { return evidence.add("realloc returned NULL") }
            let c = serial(grown, 100)
            evidence.expect(c == b + 1, "a realloc after serial \(b) got serial \(c), not \(b + 1)")
            functions.free(first)
            functions.free(grown)
        }
    }

    static func hex(_ byte: UInt8) -> String { "0x" + String(byte, radix: 16, uppercase: true) }
    static func hexBytes(_ bytes: Set<UInt8>) -> String { bytes.sorted().map(hex).joined(separator: "/") }
}
