import CPythonABI
import Foundation
import Isolation

#if canImport(Glibc)
    import Glibc
#endif

/// A check that starts threads inside CPython runs in a forked child of the worker: a hang is
/// killed and named by the step it was in, and nothing the run does to the process can change
/// what a later check sees. The child says what it does, a line at a time ("doing: STEP",
/// "problem: TEXT", "finished"); the parent reads that back as evidence.
package enum ThreadedChild {
    /// One line to the parent, written at once: a crash right after it still leaves it read.
    package static func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// What the child said and how it ended.
    package struct Run {
        package var outcome: ChildOutcome
        package var lines: [String]
        /// The step it was in last ("starting" before any).
        package var doing: String {
            lines.last { $0.hasPrefix("doing: ") }.map { String($0.dropFirst("doing: ".count)) } ?? "starting"
        }
        package var finished: Bool { lines.contains("finished") }
        package var problems: [String] {
            lines.filter { $0.hasPrefix("problem: ") }.map { String($0.dropFirst("problem: ".count)) }
        }
        /// Its problems, then how it ended if not by finishing.
        package func evidence(timeout: Double) -> Evidence {
            var evidence = Evidence()
            for problem in problems { evidence.add(problem) }
            if outcome.timedOut {
                evidence.add("killed after \(Int(timeout)) s while \(doing): the run hung")
            } else if outcome.signal != nil || outcome.exitStatus != 0 {
                evidence.add("the run \(outcome.summary) while \(doing)" + WorkerFailure.colonTail(outcome, lines: 2))
            } else if !finished {
                evidence.add("the run ended without finishing (while \(doing))")
            }
            return evidence
        }
    }

    package static func run(timeout: Double, _ body: () -> Void) throws -> Run {
        let outcome = try ForkedChild.run(timeout: timeout, body)
        return Run(outcome: outcome, lines: outcome.stdout.split(separator: "\n").map(String.init))
    }

    /// Whether every thread of the crew finished `count` more rounds than `before` within `seconds`.
    package static func wait(for crew: OpaquePointer, beyond before: UInt, by count: UInt, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while pmc_crew_least_rounds(crew) < before + count {
            if Date() > deadline { return false }
            usleep(200)
        }
        return true
    }

    /// Stops the crew; false when a thread has not stopped within `seconds`.
    package static func stop(_ crew: OpaquePointer, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while pmc_crew_stop(crew) == 0 {
            if Date() > deadline { return false }
            usleep(1000)
        }
        return true
    }
}
