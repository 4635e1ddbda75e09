import Foundation
import Isolation
import PyRuntime
import TestSupport
import XCTest

/// Runs work on a few threads at once.
enum Parallel {
    /// Runs `work` over `items` on a few threads; results keep the input order.
    static func map<T, R: Sendable>(_ items: [T], width: Int = 4, _ work: @Sendable (T) -> R) -> [R]
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
