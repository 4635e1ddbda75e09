import AllocatorLayers
import CPythonABI
import Executor
import Foundation
import FuzzHarness
import OpLanguage
import PyRuntime

/// RAW through the API (PyMem_RawMalloc and PyMem_RawFree, with the plugin under them) from
/// several threads at once, none holding the GIL, as the documents allow on every version.
/// A fixed amount of work, not a time: blocks are filled and compared whole, and a block
/// handed to two threads, or a crash, is the finding. Whether the plugin's own code orders its
/// threads' accesses is ThreadWatch's part, which does not depend on how the threads ran.
enum ThreadStress {
    static let threads = 4
    static let rounds = 2_000

    static func run(_ session: FuzzSession) -> (problems: [String], notes: [String]) {
        let raw = session.runtime.library.raw
        let problems = session.runtime.withoutGIL {
            concurrently { thread in churn(seed: UInt8(thread), malloc: { raw.malloc($0) }, free: { raw.free($0) }) }
        }.map { "RAW without the GIL: \($0)" }
        return (problems, problems.isEmpty ? ["\(threads) threads × \(rounds) blocks each, none held by two"] : [])
    }

    /// The answers of `threads` threads running `body` at once (Executor's thread runner).
    static func concurrently(_ body: @escaping @Sendable (Int) -> String?) -> [String] {
        ThreadChecks.concurrently(threads, body).compactMap { $0 }
    }

    /// Small blocks, allocated and filled eight at a time, then compared and freed.
    static func churn(seed: UInt8, malloc: (Int) -> UnsafeMutableRawPointer?, free: (UnsafeMutableRawPointer?) -> Void)
        -> String?
    {
        let value = ChurnPattern.byte(seed: seed)
        let reference = [UInt8](repeating: value, count: 512)
        var held: [(UnsafeMutableRawPointer, Int)] = []
        for round in 1...rounds {
            let size = ChurnPattern.size(round: round, seed: seed, limit: 512)
            guard let block = malloc(size) else { return "non-null: malloc(\(size)) returned NULL" }
            memset(block, Int32(value), size)
            held.append((block, size))
            guard held.count == 8 || round == rounds else { continue }
            for (block, size) in held {
                let changed = reference.withUnsafeBytes { memcmp(block, $0.baseAddress!, size) != 0 }
                if changed {
                    return "thread-safe: a \(size)-byte block changed while its thread held it: "
                        + "another thread was given it too"
                }
                free(block)
            }
            held.removeAll()
        }
        return nil
    }
}
