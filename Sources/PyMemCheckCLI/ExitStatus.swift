import ArgumentParser

/// The one rule for every command's exit status, said in the root command's help and in the
/// README's "Exit codes".
enum ExitStatus {
    static let rule = """
        Exit status, the same for every command: 0 conforms (everything that could be judged \
        passed); 1 a non-conformance was found (a clause failed, a plugin was refused, a replayed \
        input gave a finding or a crash); 2 nothing could be judged (no clause applied, nothing \
        could be checked, an input was unreadable), or a usage or environment error. Every \
        error, and every exit 2, is one line on stderr that says what to do.
        """

    /// Ends a command that judged by the rule: 1 when something failed; 2 with `unjudged` on
    /// stderr when something could not be judged (nothing at all, or an unreadable input);
    /// otherwise it returns, and the command exits 0.
    static func conclude(failures: Int, unjudged: String?) throws {
        if failures > 0 { throw ExitCode(1) }
        if let unjudged { fail(unjudged, code: 2) }
    }
}
