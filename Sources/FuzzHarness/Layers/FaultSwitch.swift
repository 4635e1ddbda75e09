import Foundation
import OpLanguage

/// The failure a `fail-next` op arms, shared by every fault point of a session. It is armed
/// around one API call, on the calling thread, and fails the first call that reaches one of
/// the points armed for it, whatever function that is: the op names the API call that is to
/// meet a failing allocator below, not the call the allocator below receives (pymalloc may
/// answer a malloc with an arena allocation or a realloc of its arena table).
final class FaultSwitch: @unchecked Sendable {
    /// Where a failure can be injected: a fault layer of a domain (under the debug hooks, under
    /// a plugin, or on the RAW domain over the libc wrapper), or pymalloc's arena allocator.
    enum Point: Hashable, Sendable {
        case layer(Domain)
        case arena
    }

    private let lock = NSLock()
    private var armed: Set<Point> = []
    private var thread: pthread_t?
    private var fired: Point?

    func arm(_ points: Set<Point>) {
        lock.withLock {
            armed = points
            thread = pthread_self()
            fired = nil
        }
    }

    /// Disarms the switch and tells which point failed a call, if one did.
    func disarm() -> Point? {
        lock.withLock {
            armed = []
            thread = nil
            return fired
        }
    }

    /// Whether the call reaching `point` now is to fail (at most one call per arming).
    func take(_ point: Point) -> Bool {
        lock.withLock {
            guard armed.contains(point), let thread, pthread_equal(thread, pthread_self()) != 0 else { return false }
            armed = []
            fired = point
            return true
        }
    }
}
