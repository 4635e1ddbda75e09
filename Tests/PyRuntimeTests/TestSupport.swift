import Foundation
import Isolation
import PyRuntime
import XCTest

/// What the tests share: the targets on this machine (discovered once) and a way to run the
/// pymemcheck executable as a user would.
enum TestSupport {
    static let discovery = TargetDiscovery.discover()

    /// The target a test named by version needs, or a skip that says how to get it.
    static func target(_ spec: String, file: StaticString = #filePath, line: UInt = #line) throws -> PythonTarget {
        guard let target = try? TargetSpec.resolve(spec, discovery: { discovery }) else {
            throw XCTSkip(
                "CPython \(spec) is not installed here; install it (pyenv install, "
                    + "or apt-get install python3.11-dbg for 3.11d) to run this test")
        }
        return target
    }

    /// Runs `pymemcheck ARGS` and returns how it ended.
    static func pymemcheck(_ arguments: [String], timeout: Double = 120) throws -> ChildOutcome {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return try ChildProcess.run(
            executable: try SelfExecutable.path(), arguments: arguments,
            environment: environment, timeout: timeout)
    }

    /// Runs `work` over `items` on a few threads; results keep the input order.
    static func parallelMap<T, R: Sendable>(_ items: [T], width: Int = 4, _ work: @Sendable (T) -> R) -> [R]
    where T: Sendable {
        let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: items.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let box = ResultBox(results)
        let next = NextIndex()
        DispatchQueue.concurrentPerform(iterations: min(width, max(items.count, 1))) { _ in
            while let index = next.take(below: items.count) { box.set(index, work(items[index])) }
        }
        return results.map { $0! }
    }
}

private final class NextIndex: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

/// Each index is written by exactly one worker, so the slots need no lock.
private final class ResultBox<R>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<R?>
    init(_ buffer: UnsafeMutableBufferPointer<R?>) { self.buffer = buffer }
    func set(_ index: Int, _ value: R) { buffer[index] = value }
}
