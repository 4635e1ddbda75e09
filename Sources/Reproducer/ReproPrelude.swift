/// The C that every reproducer starts with (ReproPrelude.c, built into the binary): a small
/// oracle (the same invariants as pymemcheck's, for the ops a program uses), a fault-injection
/// layer, the RAW thread churn, and start-up.
enum ReproPrelude {
    /// The file without its last line end: the reproducer joins its parts with line ends.
    static let source: String = {
        guard let text = EmbeddedText.text("ReproPrelude.c") else {
            preconditionFailure("ReproPrelude.c is built into the Reproducer module by the EmbedText plugin")
        }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }()
}
