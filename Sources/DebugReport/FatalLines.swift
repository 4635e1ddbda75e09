/// Lines written by `fatal_error` (Python/pylifecycle.c) around the thread dump.
enum FatalLines {
    static let fatalMarker = "Fatal Python error: "

    /// "Fatal Python error: [function: ]message"; the function prefix exists since 3.9.
    static func fatalError(in line: Substring) -> ReportLine? {
        guard let marker = line.firstRange(of: fatalMarker) else { return nil }
        let text = line[marker.upperBound...].trimmingTrailingWhitespace
        guard !text.isEmpty else { return nil }
        if let (head, message) = text.splitOnce(": "), isCIdentifier(head), !message.isEmpty {
            return .fatalError(function: String(head), message: String(message))
        }
        return .fatalError(function: nil, message: String(text))
    }

    static func classify(_ line: Substring) -> ReportLine? {
        let line = line.trimmingTrailingWhitespace
        if let state = line.between("Python runtime state: ", ""), !state.isEmpty {
            return .runtimeState(String(state))
        }
        if let list = line.between("Extension modules: ", "") {
            return extensionModules(list)
        }
        return nil
    }

    /// "Extension modules: a, b (total: 2)"
    private static func extensionModules(_ list: Substring) -> ReportLine {
        // The total closes the line, so without it the list was cut off.
        guard let (names, total) = list.splitOnce(" (total: "),
            total.between("", ")").flatMap(TextScanning.count) != nil
        else {
            return .extensionModules(list.split(separator: ", ").map(String.init), wellFormed: false)
        }
        return .extensionModules(names.split(separator: ", ").map(String.init), wellFormed: true)
    }

    /// A message prefix counts as a function name only if it is a C identifier,
    /// so that messages such as "bad ID: ..." keep their own colon.
    private static func isCIdentifier(_ text: Substring) -> Bool {
        guard let first = text.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return text.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
