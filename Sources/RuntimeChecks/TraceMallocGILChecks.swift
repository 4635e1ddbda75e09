import Checks
import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// Which tracemalloc C API calls wait for the GIL, asked from a thread with no thread state
/// while the checking thread holds it: a call that does not wait answers at once; one that
/// does answers only once the GIL is given up, which the check then does so that nothing hangs.
extension TraceMallocChecks {
    /// How long an answer may take while the GIL is held elsewhere: far above a call's time.
    static let answerSeconds = 2.0

    /// 3.14+: with tracemalloc not tracing, Track and Untrack answer -2 without the GIL.
    public static func notTracingAnswersWithoutGIL(_ context: CheckContext) -> CheckVerdict {
        let (track, untrack) = offThreadFunctions(context)
        return withTraceMalloc(context, tracing: false) { _, _, evidence in
            expectAnswer(context, "Track with tracemalloc off", -2, &evidence) { track.value(domain, pointer, 100) }
            expectAnswer(context, "Untrack with tracemalloc off", -2, &evidence) { untrack.value(domain, pointer) }
        }
    }

    /// 3.14+: while tracing, Untrack answers without the GIL (0, for a block it traces).
    public static func untrackAnswersWithoutGIL(_ context: CheckContext) -> CheckVerdict {
        let (_, untrack) = offThreadFunctions(context)
        return withTraceMalloc(context, tracing: true) { track, _, evidence in
            let tracked = track(domain, pointer, 100)
            evidence.expect(tracked == 0, "Track while tracing returned \(tracked), expected 0")
            expectAnswer(context, "Untrack while tracing", 0, &evidence) { untrack.value(domain, pointer) }
        }
    }

    /// 3.15+: while tracing, Track answers without the GIL (0) and the block is traced.
    public static func trackAnswersWithoutGIL(_ context: CheckContext) -> CheckVerdict {
        let (track, _) = offThreadFunctions(context)
        return withTraceMalloc(context, tracing: true) { _, _, evidence in
            expectAnswer(context, "Track while tracing", 0, &evidence) { track.value(domain, pointer, 100) }
            evidence.expect(
                context.runtime.run(tracedBytesAre(100)), "the block Track answered for is not traced (100 bytes)")
        }
    }

    /// Track and Untrack as a thread of their own calls them: CPython's, or what a control put in
    /// their place (a missing function answers -1, which no clause expects).
    static func offThreadFunctions(_ context: CheckContext) -> (
        Unchecked<ControlSeams.Track>, Unchecked<ControlSeams.Untrack>
    ) {
        let (realTrack, realUntrack) = (context.library.traceMallocTrack, context.library.traceMallocUntrack)
        let track = context.seams.track ?? { realTrack?($0, $1, $2) ?? -1 }
        let untrack = context.seams.untrack ?? { realUntrack?($0, $1) ?? -1 }
        return (Unchecked(track), Unchecked(untrack))
    }

    /// Calls `body` on a new thread with no thread state while this thread holds the GIL, and
    /// expects `expected` within answerSeconds.
    static func expectAnswer(
        _ context: CheckContext, _ what: String, _ expected: Int32, _ evidence: inout Evidence,
        _ body: @escaping @Sendable () -> Int32
    ) {
        let answer = Locked<Int32?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            answer.withLock { $0 = body() }
            done.signal()
        }
        thread.start()
        guard done.wait(timeout: .now() + answerSeconds) == .success else {
            // It waits for the GIL: given up, the call finishes and nothing is left running.
            context.runtime.withoutGIL { done.wait() }
            let late = answer.withLock { $0 }.map(String.init) ?? "nothing"
            return evidence.add(
                "\(what) from a thread with no thread state gave no answer in \(Int(answerSeconds)) s while the GIL "
                    + "was held: it waits for the GIL (it answered \(late) once the GIL was released)")
        }
        let got = answer.withLock { $0 }
        evidence.expect(
            got == expected,
            "\(what) from a thread with no thread state returned \(got.map(String.init) ?? "nothing"), "
                + "expected \(expected)")
    }
}

/// A value handed to another thread that the check knows is safe to call there (CPython's own
/// functions, which take what locks they need).
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
