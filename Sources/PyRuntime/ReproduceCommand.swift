/// The one command that runs a failure again, as a report prints it: the words of a pymemcheck
/// command line, each quoted for a POSIX shell where it needs to be.
public enum ReproduceCommand {
    public static func line(_ words: [String]) -> String { shell(["pymemcheck"] + words) }

    /// Any command's words, quoted where they need to be.
    public static func shell(_ words: [String]) -> String { words.map(quoted).joined(separator: " ") }

    /// `--python` for a target: its id where the id finds this very library again (a version,
    /// "3.11.2d", "3.11.2-fuzz"), else the library's path.
    public static func python(_ target: PythonTarget) -> String {
        (try? TargetSpec.resolve(target.id))?.libraryPath == target.libraryPath ? target.id : target.libraryPath
    }

    static func quoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
