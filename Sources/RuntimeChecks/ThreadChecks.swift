import AllocatorLayers
import CPythonABI
import Checks
import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// The GIL and threads: RAW is callable without the GIL from any thread; MEM and OBJ from any
/// thread that holds it.
public enum ThreadChecks {
    static let threads = 4
    static let rounds = 2000

    /// Several threads with no thread state call the RAW functions at once while the main thread
    /// has released the GIL: every block is non-NULL, private to its thread, and intact.
    public static func rawWithoutGILFromThreads(_ context: CheckContext) -> CheckVerdict {
        let raw = context.library.raw
        let problems = context.runtime.withoutGIL {
            concurrently(threads) { thread in churn(raw, thread: thread) }
        }
        return verdict(problems, rounds: rounds)
    }

    /// MEM and OBJ from other threads, each taking the GIL with PyGILState_Ensure.
    public static func gilHoldersFromThreads(_ context: CheckContext) -> CheckVerdict {
        let library = context.library
        let domains = context.domains
        let problems = context.runtime.withoutGIL {
            concurrently(threads) { thread -> String? in
                let state = library.gilStateEnsure()
                defer { library.gilStateRelease(state) }
                return domains.compactMap { churn(library.functions($0), thread: thread, rounds: 300) }.first
            }
        }
        return verdict(problems, rounds: 300 * domains.count)
    }

    static let interpreters = 4
    static let interpreterRounds = 20

    /// MEM and OBJ through the allocators in place, from 4 interpreters with their own GIL and
    /// obmalloc state at once (3.12+), a thread in each, round by round together: blocks non-NULL,
    /// intact over the whole block, never overlapping another interpreter's live block, freed
    /// where they were allocated. Runs in the worker's own process: a crash is the finding.
    public static func ownGILInterpreters(_ context: CheckContext) -> CheckVerdict {
        guard var api = InterpreterAPI.look(up: context.library) else {
            return .notApplicable("\(context.library.target.libraryPath) has no interpreters with their own GIL")
        }
        // In a forked child: making a subinterpreter switches the debug hooks' GIL check off
        // for the whole process (debug.detect.without-gil-after-subinterpreter), which would
        // change what every later check in this worker sees.
        let outcome: ChildOutcome
        do {
            outcome = try ForkedChild.run(timeout: 60) {
                var buffer = [CChar](repeating: 0, count: 8192)
                let lines = pmc_own_gil_interpreters(
                    &api, Int32(interpreters), Int32(interpreterRounds), &buffer, 8192)
                let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                print(String(decoding: text, as: UTF8.self), terminator: "")
                print(lines == 0 ? "finished" : "problems: \(lines)")
            }
        } catch {
            return .fail("could not isolate the interpreters: \(error)")
        }
        var evidence = Evidence()
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        for line in lines where line != "finished" && !line.hasPrefix("problems: ") { evidence.add(line) }
        if outcome.timedOut || outcome.signal != nil || outcome.exitStatus != 0 {
            evidence.add("the interpreters' run \(outcome.summary)" + WorkerFailure.colonTail(outcome, lines: 2))
        } else if lines.last == "finished" {
            evidence.exercised(interpreters * interpreterRounds * 16)
        } else if let count = lines.last, count.hasPrefix("problems: "), Int(count.dropFirst(10)) ?? 0 > 20 {
            evidence.add("… \(count.dropFirst(10)) problems in all")
        }
        return evidence.verdict
    }

    /// One observation per round of each thread that finished without a problem.
    static func verdict(_ problems: [String?], rounds: Int) -> CheckVerdict {
        var evidence = Evidence()
        for problem in problems {
            if let problem { evidence.add(problem) } else { evidence.exercised(rounds) }
        }
        return evidence.verdict
    }

    /// Allocates, writes, resizes, checks and frees in a loop; the first problem seen, if any.
    static func churn(_ functions: DomainFunctions, thread: Int, rounds: Int = rounds) -> String? {
        let seed = UInt8(truncatingIfNeeded: thread * 17)
        for round in 0..<rounds {
            let size = [0, 8, 64, 300, 513, 4096][round % 6]
            let viaCalloc = round % 3 == 0
            guard let block = viaCalloc ? functions.calloc(1, size) : functions.malloc(size) else {
                return "thread \(thread): allocation of \(size) bytes returned NULL"
            }
            Bytes.fill(block, count: size, seed: seed)
            guard let grown = functions.realloc(block, size + 100) else {
                return "thread \(thread): realloc returned NULL"
            }
            if let offset = Bytes.firstMismatch(grown, count: size, seed: seed) {
                return
                    "thread \(thread): round \(round), byte \(offset) of a \(size)-byte block changed (shared or lost)"
            }
            functions.free(grown)
        }
        return nil
    }

    /// Runs `body` on `count` new threads and joins them all (a thread's exit, with a plugin's
    /// thread-local destructors, is over before the next check, or a fork, begins).
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> String?) -> [String?] {
        JoinedThreads.run(count, unstarted: { "thread \($0) could not be started: \($1)" }, body)
    }
}

extension ThreadChecks {
    /// The size of the call each thread is held in until the other's is there too.
    static let meetingSize = 4321

    /// On a free-threaded build, threads that each have an attached thread state are inside the
    /// domain's allocator at the same time, with no GIL to take turns: a layer on top holds each
    /// thread's malloc(4321) until the other thread's is inside too (3 s at most), then both
    /// threads allocate, fill, resize and free, and each one's first block stays intact.
    public static func attachedThreadsAtOnce(_ context: CheckContext) -> CheckVerdict {
        let library = context.library
        var evidence = Evidence()
        for domain in context.domains {
            let meeting = MeetingLayer(size: meetingSize, parties: 2, seconds: 3).install(onTopOf: domain, in: library)
            let functions = library.functions(domain)
            let problems = context.runtime.withoutGIL {
                concurrently(2) { thread -> String? in
                    let state = library.gilStateEnsure()
                    defer { library.gilStateRelease(state) }
                    let seed = UInt8(truncatingIfNeeded: 101 + thread)
                    guard let block = functions.malloc(meetingSize) else {
                        return "thread \(thread): malloc(\(meetingSize)) returned NULL"
                    }
                    Bytes.fill(block, count: meetingSize, seed: seed)
                    let churned = churn(functions, thread: thread, rounds: 300)
                    let changed = Bytes.firstMismatch(block, count: meetingSize, seed: seed)
                    functions.free(block)
                    return churned ?? changed.map { "thread \(thread): byte \($0) of its first block changed" }
                }
            }
            meeting.uninstall()
            evidence.expect(
                meeting.met,
                "\(domain.functionPrefix)*: the two threads' calls were never inside the allocator together "
                    + "(one waited 3 s for the other): the calls were made one at a time")
            for problem in problems {
                if let problem {
                    evidence.add("\(domain.functionPrefix)*: \(problem)")
                } else {
                    evidence.exercised(300)
                }
            }
        }
        return evidence.verdict
    }
}

/// Holds every call of one size until `parties` such calls are inside at once, or `seconds`
/// have passed; `met` says whether they ever were.
final class MeetingLayer: AllocatorLayer, @unchecked Sendable {
    private let size: Int
    private let parties: Int
    private let seconds: Double
    private let state = Locked((inside: 0, met: false))

    init(size: Int, parties: Int, seconds: Double) {
        self.size = size
        self.parties = parties
        self.seconds = seconds
        super.init()
    }

    var met: Bool { state.withLock { $0.met } }

    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        guard size == self.size else { return super.malloc(size) }
        state.withLock {
            $0.inside += 1
            if $0.inside >= parties { $0.met = true }
        }
        let deadline = Date().addingTimeInterval(seconds)
        while !met, Date() < deadline { usleep(200) }
        defer { state.withLock { $0.inside -= 1 } }
        return super.malloc(size)
    }
}
