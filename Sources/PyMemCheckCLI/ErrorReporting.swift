import ArgumentParser
import ClauseCatalogue
import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// Runs a command body and turns every error a user can cause into one line on stderr and an
/// exit code (2 usage or environment, 1 a failed check), never a trap or a backtrace.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as PyMemCheckError {
        fail(error.description, code: error.exitCode == 1 && isNotApplicable(error) ? 2 : error.exitCode)
    } catch let error as ChildProcess.SpawnError {
        fail(error.description, code: 2)
    } catch let error as CatalogueError {
        fail(error.description, code: 2) // no catalogue, or a broken one: the environment's fault
    } catch let error as ExitCode {
        throw error
    }
}

/// "the value '-1' is invalid for '--jobs <jobs>': --jobs must be ..." as "--jobs must be ...,
/// not '-1'": a numeric option's parser (NumberOption) says what is wrong in its own words.
private func ownWordsFirst(_ line: String) -> String {
    let pattern = #"^the value '(.*)' is invalid for '(--[a-z-]+) <[^>]*>': (--[a-z-]+ must .*)$"#
    guard let match = try? Regex(pattern).wholeMatch(in: line), match.count == 4,
        let value = match[1].substring, let option = match[2].substring, let words = match[3].substring,
        words.hasPrefix(option + " ")
    else { return line }
    return "\(words), not '\(value)'"
}

/// `body`'s result, with any error but pymemcheck's own as a usage error: a file the user
/// named that does not parse (the parser's error names the file and the place).
func usageErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as PyMemCheckError {
        throw error
    } catch {
        throw PyMemCheckError.usage("\(error)")
    }
}

private func isNotApplicable(_ error: PyMemCheckError) -> Bool {
    if case .notApplicable = error { return true }
    return false
}

func fail(_ message: String, code: Int32) -> Never {
    ProgressLine.clearIfDrawn()
    FileHandle.standardError.write(Data("pymemcheck: \(message)\n".utf8))
    Foundation.exit(code)
}

/// The parser's error (a typo'd value, a missing argument, a bad combination from validate())
/// as one line like every other error: the values it lists one per line are joined, and the
/// pointer to the command's help that its full message ends with is kept.
func usageLine(brief: String, full: String) -> String {
    let lines = brief.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    var line = lines.first ?? brief
    if lines.count > 1 {
        if line.hasSuffix(" the following:") { line = String(line.dropLast(" the following:".count)) + ":" }
        let values = lines.dropFirst().map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
        line += " " + values.joined(separator: ", ")
    }
    line = line.prefix(1).lowercased() + line.dropFirst()
    if line.hasSuffix(".") { line.removeLast() }
    line = ownWordsFirst(line)
    if let help = full.range(of: #"'[^']* --help'"#, options: .regularExpression) {
        line += " (see \(full[help]))"
    }
    return line
}
