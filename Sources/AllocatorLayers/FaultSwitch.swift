import Glibc
import OpLanguage
import Vocabulary

/// The failure a `fail-next` op arms, shared by every fault point of a session. It is armed
/// around one API call, on the calling thread, and fails the first call that reaches one of
/// the points armed for it, whatever function that is: the op names the API call that is to
/// meet a failing allocator below, not the call the allocator below receives (pymalloc may
/// answer a malloc with an arena allocation or a realloc of its arena table).
public final class FaultSwitch: @unchecked Sendable {
    /// Where a failure can be injected: a fault layer of a domain (under the debug hooks, under
    /// a plugin, or on the RAW domain over the libc wrapper), or pymalloc's arena allocator.
    public enum Point: Hashable, Sendable {
        case layer(AllocatorDomain)
        case arena
    }

    private struct State {
        var armed: Set<Point> = []
        var thread: pthread_t?
        var fired: Point?
    }

    private let state = Locked(State())

    public init() {}

    public func arm(_ points: Set<Point>) {
        state.withLock { $0 = State(armed: points, thread: pthread_self(), fired: nil) }
    }

    /// Disarms the switch and tells which point failed a call, if one did.
    public func disarm() -> Point? {
        state.withLock {
            $0.armed = []
            $0.thread = nil
            return $0.fired
        }
    }

    /// Whether the call reaching `point` now is to fail (at most one call per arming).
    public func take(_ point: Point) -> Bool {
        state.withLock {
            guard $0.armed.contains(point), let thread = $0.thread, pthread_equal(thread, pthread_self()) != 0 else {
                return false
            }
            $0.armed = []
            $0.fired = point
            return true
        }
    }
}
