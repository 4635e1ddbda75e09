import CPythonABI
import Foundation
import Isolation
import OpLanguage
import PyRuntime
import Vocabulary

/// A long-lived thread that runs one piece of work at a time, handed to it by another thread.
final class JobThread: @unchecked Sendable {
    private let queue = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    // Written before `queue` is signalled and read after it is waited on: the semaphores
    // order every access.
    private var work: (() -> Void)?

    init() {
        Thread { [unowned self] in self.loop() }.start()
    }

    /// Starts `work` on the thread; `wait()` returns once it has run.
    func start(_ work: @escaping () -> Void) {
        self.work = work
        queue.signal()
    }

    func wait() { done.wait() }

    /// Runs `work` on the thread while the caller waits.
    func run<T>(_ work: () -> T) -> T {
        withoutActuallyEscaping(work) { work in
            var answer: T?
            start { answer = work() }
            wait()
            return answer!
        }
    }

    private func loop() {
        while true {
            queue.wait()
            work?()
            work = nil
            done.signal()
        }
    }
}

/// The places a program's allocator calls are made on (the `on` op): the main thread, a second
/// thread of the main interpreter, and a thread of an interpreter with its own GIL. Made once
/// per process, before an input's counts start, since making them allocates.
final class Places {
    private let runtime: PythonRuntime
    private var pid: pid_t = 0
    private var second: (thread: JobThread, state: UnsafeMutableRawPointer?)?
    private var own: (thread: JobThread, state: UnsafeMutableRawPointer?)?
    /// Why the own-GIL interpreter could not be made, once it was tried.
    private(set) var ownProblem: String?

    init(runtime: PythonRuntime) { self.runtime = runtime }

    /// Whether `interpreter` is a place of its own on this target (3.12+), not the main thread.
    private(set) lazy var hasOwnInterpreter =
        runtime.version >= PythonVersion(3, 12) && InterpreterAPI.look(up: runtime.library) != nil

    /// The places other than main that `ops` go to (none for most inputs: nothing to make).
    static func named(in ops: [Op]) -> Set<Place> {
        Set(ops.compactMap { if case .on(let place) = $0, place != .main { place } else { nil } })
    }

    /// Whether some of `wanted` is not made in this process yet (a forked child has none of
    /// its parent's threads, so it makes its own).
    func lacks(_ wanted: Set<Place>) -> Bool {
        guard !wanted.isEmpty else { return false }
        if pid != getpid() { (pid, second, own) = (getpid(), nil, nil) }
        return (wanted.contains(.thread) && second == nil)
            || (wanted.contains(.interpreter) && own == nil && ownProblem == nil && hasOwnInterpreter)
    }

    /// Makes the places of `wanted` that this process has not made yet.
    func prepare(_ wanted: Set<Place>) {
        guard lacks(wanted) else { return }
        if wanted.contains(.thread) && second == nil { second = makeSecondThread() }
        if wanted.contains(.interpreter) && own == nil && ownProblem == nil && hasOwnInterpreter {
            own = makeOwnInterpreter()
        }
    }

    /// Runs `call`, an allocator call in `domain`, on `place` and returns its result.
    func run<T>(on place: Place, _ domain: AllocatorDomain, _ call: () -> T) -> T {
        let library = runtime.library
        switch place {
        case .main: return call()
        case .thread:
            guard let second else { return call() }
            return runtime.withoutGIL {
                second.thread.run {
                    // RAW needs no GIL, and is called with no thread state attached.
                    guard domain != .raw else { return call() }
                    library.restoreThread(second.state)
                    defer { _ = library.saveThread() }
                    return call()
                }
            }
        case .interpreter:
            guard let own else { return call() }
            return own.thread.run {
                library.restoreThread(own.state) // that interpreter's own GIL
                defer { _ = library.saveThread() }
                return call()
            }
        }
    }

    /// Where `place` makes its MEM and OBJ calls: the own-GIL interpreter, or the main one.
    func interpreter(of place: Place) -> Place { place == .interpreter && own != nil ? .interpreter : .main }

    /// The second thread, with a thread state of the main interpreter of its own (made while
    /// the main thread has released the GIL), detached between calls.
    private func makeSecondThread() -> (JobThread, UnsafeMutableRawPointer?) {
        let thread = JobThread()
        let library = runtime.library
        let state = runtime.withoutGIL {
            thread.run { () -> UnsafeMutableRawPointer? in
                _ = library.gilStateEnsure()
                return library.saveThread()
            }
        }
        return (thread, state)
    }

    /// The interpreter with its own GIL, and a thread with a thread state in it.
    private func makeOwnInterpreter() -> (JobThread, UnsafeMutableRawPointer?)? {
        guard var api = InterpreterAPI.look(up: runtime.library) else { return nil }
        var problem = [CChar](repeating: 0, count: 512)
        guard let interpreter = pmc_own_gil_interpreter_new(&api, &problem, problem.count) else {
            ownProblem = String(decoding: problem.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return nil
        }
        typealias NewState = @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?
        let newState = unsafeBitCast(api.thread_state_new, to: NewState.self)
        let thread = JobThread()
        let state = thread.run { newState(interpreter) }
        return (thread, state)
    }
}
