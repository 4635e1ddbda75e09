import ArgumentParser
import Foundation
import Isolation
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// --quiet, shared by the commands that show progress (check, certify, replay, bench).
struct ProgressOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Show no progress line (it is shown only when stderr is a terminal).")
    var quiet = false

    var line: ProgressLine { ProgressLine(quiet: quiet) }
}

/// The one line on stderr that a long command rewrites as it goes ("[3/18] 3.13.0 debug"),
/// shown only to a person watching a terminal: never into a file, a pipe or a log.
struct ProgressLine: Sendable {
    let visible: Bool

    /// Shown when stderr is a terminal, --quiet is not given, and TERM names a terminal that can
    /// rewrite a line (not "dumb", as editors' shells set, and not unset).
    static func isVisible(stderrIsTerminal: Bool, quiet: Bool, term: String?) -> Bool {
        guard stderrIsTerminal, !quiet, let term, !term.isEmpty else { return false }
        return term != "dumb"
    }

    init(quiet: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) {
        visible = Self.isVisible(stderrIsTerminal: isatty(2) != 0, quiet: quiet, term: environment["TERM"])
    }

    /// Replaces the line with `text`.
    func show(_ text: String) {
        guard visible else { return }
        Self.drawn.withLock { drawn in
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            drawn = true
        }
    }

    /// "[done/total] text".
    func step(_ done: Int, of total: Int, _ text: String) {
        show("[\(done)/\(total)] \(text)")
    }

    /// A runner's progress callback (how many done of how many, and the one just done) that
    /// draws "[done/total] what", or nil when nothing is shown, so the runner skips the calls.
    func stepper<Item>(_ what: @escaping @Sendable (Item) -> String) -> (@Sendable (Int, Int, Item) -> Void)? {
        guard visible else { return nil }
        return { done, total, item in self.step(done, of: total, what(item)) }
    }

    /// Erases the line, before a command writes its report or an error.
    func clear() {
        if visible { Self.clearIfDrawn() }
    }

    /// Whether a progress line is on the screen now (drawn from the worker threads of check and
    /// certify): an error erases it before its own line.
    private static let drawn = Locked(false)

    static func clearIfDrawn() {
        drawn.withLock { drawn in
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drawn = false
        }
    }
}
