import Foundation
import Vocabulary

/// Threads that are joined, not only waited for. A thread's exit runs its thread-local
/// destructors after its work is done (a plugin's per-thread cache handing its blocks back
/// under the plugin's lock): a caller that returned when the work was done, and then forked,
/// could copy that lock into the child held by a thread the child does not have, and the
/// child would wait for it for ever. Joining returns only when every thread has gone.
public enum JoinedThreads {
    /// `body(index)` on `count` new threads at once, each answer in its index's place. A thread
    /// that cannot be started answers `unstarted(index, reason)`, so a check never passes on a
    /// thread that never ran.
    public static func run<Answer: Sendable>(
        _ count: Int, stackSize: Int = 1 << 20,
        unstarted: (Int, String) -> Answer?,
        _ body: @escaping @Sendable (Int) -> Answer?
    ) -> [Answer?] {
        let answers = Locked([Answer?](repeating: nil, count: count))
        var threads: [pthread_t] = []
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        var failures: [(Int, String)] = []
        for index in 0..<count {
            let job = Job {
                let answer = body(index)
                answers.withLock { $0[index] = answer }
            }
            let context = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(
                &thread, &attributes,
                { context in
                    Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().work()
                    return nil
                }, context)
            guard status == 0 else {
                Unmanaged<Job>.fromOpaque(context).release()
                failures.append((index, String(cString: strerror(status))))
                continue
            }
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
        var result = answers.withLock { $0 }
        for (index, reason) in failures { result[index] = unstarted(index, reason) }
        return result
    }

    private final class Job: @unchecked Sendable {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }
}
