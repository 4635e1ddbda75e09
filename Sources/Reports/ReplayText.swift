import Results

extension ReplayDocument {
    /// The targets and modes not run first, then a line per replay with its findings, then the count.
    public func text() -> String {
        var lines = results.filter { $0.outcome == .notApplicable }.map {
            "\($0.target) \($0.mode): not applicable: \($0.detail ?? "")"
        }
        let replays = results.filter { $0.outcome != .notApplicable }
        for entry in replays {
            let note = entry.verdict?.note.map { " (\($0))" } ?? entry.detail.map { ": \($0)" } ?? ""
            let place = "\(entry.target) \(entry.mode) \(entry.file) [\(entry.fuzzTarget)]"
            lines.append("\(place): \(entry.outcome.rawValue)\(note)")
            lines += entry.verdict?.findings.map { "    " + $0.text() } ?? []
        }
        lines.append(
            "\(replays.count) replays, \(failures) with a finding or a crash"
                + (unreadable > 0 ? ", \(unreadable) unreadable" : ""))
        return lines.joined(separator: "\n") + "\n"
    }
}
