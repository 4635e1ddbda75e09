import AllocatorLayers
import CPythonABI
import Executor
import Foundation
import FuzzHarness
import OpLanguage
import PyRuntime

/// Several threads at once: RAW through the API without the GIL (always required), and from
/// 3.12, where every allocator must be thread-safe, each domain's plugin functions called
/// directly from several threads. Blocks are filled and compared whole; a block handed to two
/// threads, or a crash, is the finding.
enum ThreadStress {
    static let threads = 4
    /// Each thread churns until a problem shows or this much time has passed: a race needs
    /// the threads to really run at once, which a loaded machine gives only now and then.
    static let seconds: Double = 3

    static func run(_ session: FuzzSession, plugin: AllocatorPlugin) -> (problems: [String], notes: [String]) {
        var problems: [String] = []
        var notes: [String] = []
        let raw = session.runtime.library.raw
        problems += session.runtime.withoutGIL {
            concurrently { thread in churn(seed: UInt8(thread), malloc: { raw.malloc($0) }, free: { raw.free($0) }) }
        }.map { "RAW without the GIL: \($0)" }
        if session.version >= PythonVersion(3, 12) {
            for (domain, installed) in plugin.installed where domain != .raw {
                let hook = PluginFunctions(installed)
                problems += session.runtime.withoutGIL {
                    concurrently { thread in
                        churn(seed: UInt8(thread), malloc: { hook.malloc($0) }, free: { hook.free($0) })
                    }
                }.map { "\(domain.name) hook from several threads (3.12+: all allocators must be thread-safe): \($0)" }
            }
        } else {
            notes.append(
                "MEM and OBJ from several threads: required from 3.12; \(session.version) serialises them with the GIL"
            )
        }
        return (problems, notes)
    }

    /// The answers of `threads` threads running `body` at once (Executor's thread runner).
    static func concurrently(_ body: @escaping @Sendable (Int) -> String?) -> [String] {
        ThreadChecks.concurrently(threads, body).compactMap { $0 }
    }

    /// Small blocks, allocated, filled, compared and freed as fast as possible.
    static func churn(seed: UInt8, malloc: (Int) -> UnsafeMutableRawPointer?, free: (UnsafeMutableRawPointer?) -> Void)
        -> String?
    {
        let value = ChurnPattern.byte(seed: seed)
        let reference = [UInt8](repeating: value, count: 512)
        var held: [(UnsafeMutableRawPointer, Int)] = []
        let deadline = Date().addingTimeInterval(seconds)
        var round = 0
        while Date() < deadline || !held.isEmpty {
            round += 1
            let size = ChurnPattern.size(round: round, seed: seed, limit: 512)
            guard let block = malloc(size) else { return "non-null: malloc(\(size)) returned NULL" }
            memset(block, Int32(value), size)
            held.append((block, size))
            if held.count == 8 || Date() >= deadline {
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
        }
        return nil
    }
}
