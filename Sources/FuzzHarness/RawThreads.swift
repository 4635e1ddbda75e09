import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// The fill and the sizes of a churning thread (the fuzzers' raw-thread op, certify's thread
/// stress): each thread fills its blocks with its own byte, so that a block two threads were
/// given shows up as the other thread's byte.
public enum ChurnPattern {
    /// The byte the thread with `seed` fills with (never 0: a zeroed block must not pass).
    public static func byte(seed: UInt8) -> UInt8 { seed &* 37 | 1 }

    /// The size of the thread's block in `round`, below `limit`.
    public static func size(round: Int, seed: UInt8, limit: Int) -> Int { (round &* 37 &+ Int(seed)) % limit }
}

/// malloc/fill/compare/free rounds on RAW from the calling thread. Whole blocks are filled and
/// compared with memset/memcmp: a block another thread was also handed shows up at once.
enum RawChurn {
    static let maxRounds = 32
    static let largest = 700

    static func run(_ raw: DomainFunctions, rounds: Int, seed: UInt8) -> String? {
        let value = ChurnPattern.byte(seed: seed)
        let reference = [UInt8](repeating: value, count: largest)
        for round in 0..<rounds {
            let size = ChurnPattern.size(round: round, seed: seed, limit: largest)
            guard let block = raw.malloc(size) else {
                return "PyMem_RawMalloc(\(size)) returned NULL in a thread without the GIL"
            }
            memset(block, Int32(value), size)
            let changed = reference.withUnsafeBytes { memcmp(block, $0.baseAddress!, size) != 0 }
            raw.free(block)
            if changed {
                return "a \(size)-byte RAW block changed under the thread using it (handed to another thread too?)"
            }
        }
        return nil
    }
}

/// The long-lived thread that runs the raw-thread op's RAW work next to the main thread.
enum RawHelperThread {
    private static let instance = Locked<(pid: pid_t, thread: JobThread)?>(nil)

    /// The helper of this process. A forked child (violation runs) has none of its parent's
    /// threads, so it starts its own.
    static var shared: JobThread {
        instance.withLock { current in
            if let current, current.pid == getpid() { return current.thread }
            let helper = JobThread()
            current = (getpid(), helper)
            return helper
        }
    }
}
