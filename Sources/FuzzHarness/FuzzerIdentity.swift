import Foundation
import PyRuntime
import Vocabulary

/// What a fuzz binary learns from where it lies and what it is called, so that a fuzzer copied
/// out of a bundle (Fuzz/build.sh: `$OUT/fuzz-sequences-debug`, `$OUT/pymemcheck-cpython/`)
/// runs with no environment at all, as a fuzzing service starts it.
struct FuzzerIdentity {
    /// The folder beside the fuzzers that holds the bundle's CPython (a prefix).
    static let cpythonFolder = "pymemcheck-cpython"

    /// The name the binary was started under (argv[0]'s last component): a bundle's fuzzers are
    /// links of one binary per target, told apart by name alone.
    var name: String
    /// The folder of the binary itself (/proc/self/exe), where the bundle's files lie.
    var folder: String

    static func current() -> FuzzerIdentity {
        let invoked = CommandLine.arguments.first ?? ""
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? invoked
        return FuzzerIdentity(
            name: (invoked as NSString).lastPathComponent,
            folder: ((executable as NSString).deletingLastPathComponent as NSString).standardizingPath)
    }

    /// The bundle's CPython, if the binary lies in a bundle.
    func bundledTarget() throws -> PythonTarget? {
        try TargetSpec.bundled(in: "\(folder)/\(Self.cpythonFolder)")
    }

    /// The mode a bundle's fuzzer is named for: `fuzz-sequences-pymalloc_debug` runs
    /// pymalloc_debug. nil for the bare target name; a suffix that is no mode is an error, not
    /// a silent default.
    func modeFromName(of target: FuzzTarget) throws -> AllocatorMode? {
        let stem = target.rawValue + "-"
        guard name.hasPrefix(stem), name.count > stem.count else { return nil }
        let suffix = String(name.dropFirst(stem.count))
        return try Self.mode(
            suffix, else: "\(name): '\(suffix)' is not an allocator mode; name the fuzzer \(stem)MODE with MODE")
    }

    /// The `mode = ...` line of the `[pymemcheck]` section of the fuzzer's options file
    /// (NAME.options beside it, the file a fuzzing service reads its [libfuzzer] section from).
    func modeFromOptionsFile() throws -> AllocatorMode? {
        let path = "\(folder)/\(name).options"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        guard let value = Self.value(of: "mode", inSection: "pymemcheck", of: text) else { return nil }
        return try Self.mode(value, else: "\(path): mode '\(value)' in [pymemcheck] is not an allocator mode; use")
    }

    /// `value` as a mode, or one line: `problem`, then the modes there are.
    private static func mode(_ value: String, else problem: String) throws -> AllocatorMode {
        guard let mode = AllocatorMode(rawValue: value) else {
            throw PyMemCheckError.usage(
                problem + " one of " + AllocatorMode.allCases.map(\.name).joined(separator: ", "))
        }
        return mode
    }

    /// A key's value in one section of an INI file (`key = value`, `#` and `;` comments).
    static func value(of key: String, inSection wanted: String, of text: String) -> String? {
        var section = ""
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard section == wanted, let equals = line.firstIndex(of: "=") else { continue }
            if line[..<equals].trimmingCharacters(in: .whitespaces) == key {
                return line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
