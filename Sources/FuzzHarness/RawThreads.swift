import Foundation
import Isolation
import PyRuntime

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

/// One long-lived thread that runs RAW work next to the main thread.
final class RawHelperThread: @unchecked Sendable {
    private static let instance = Locked<(pid: pid_t, thread: RawHelperThread)?>(nil)

    /// The helper of this process. A forked child (violation runs) has none of its parent's
    /// threads, so it starts its own.
    static var shared: RawHelperThread {
        instance.withLock { current in
            if let current, current.pid == getpid() { return current.thread }
            let helper = RawHelperThread()
            current = (getpid(), helper)
            return helper
        }
    }

    final class Job: @unchecked Sendable {
        let work: () -> String?
        var answer: String?
        let done = DispatchSemaphore(value: 0)
        init(_ work: @escaping () -> String?) { self.work = work }
        func wait() -> String? {
            done.wait()
            return answer
        }
    }

    private let queue = DispatchSemaphore(value: 0)
    private let job = Locked<Job?>(nil)

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.start()
    }

    func start(_ work: @escaping () -> String?) -> Job {
        let job = Job(work)
        self.job.withLock { $0 = job }
        queue.signal()
        return job
    }

    private func loop() {
        while true {
            queue.wait()
            guard let job = job.withLock({ $0 }) else { continue }
            job.answer = job.work()
            job.done.signal()
        }
    }
}
