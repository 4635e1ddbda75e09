import Foundation

/// What valgrind's DRD said about the plugin, from its XML report: each error whose stack
/// reaches the plugin's code before the driver's, once per place in the plugin.
struct DRDReport: CustomStringConvertible, Equatable {
    /// DRD's own words: "Conflicting store by thread 3 at 0x04a6ddc0 size 8".
    var what: String
    /// The plugin's frame: "unlocked_free (unlocked.c:44)", or its function and object.
    var place: String
    /// The driver's frame that called the plugin: "RAW free".
    var calledAs: String?

    var description: String {
        let call = calledAs.map { ", called as \($0)," } ?? ""
        return "data race: \(place)\(call) \(access) that another thread also accesses, with no lock, barrier "
            + "or thread start ordering the two (DRD)"
    }

    /// DRD's "Conflicting store by thread 3 at 0x… size 8" without the run's own thread number
    /// and address: "stores 8 bytes".
    var access: String {
        let words = what.split(separator: " ")
        let verb =
            words.count > 1 ? (words[1] == "store" ? "stores" : words[1] == "load" ? "loads" : "touches") : "touches"
        guard let sizeIndex = words.firstIndex(of: "size"), sizeIndex + 1 < words.count else { return "\(verb) bytes" }
        return "\(verb) \(words[sizeIndex + 1]) bytes"
    }

    struct Frame {
        var object: String
        var function: String?
        var file: String?
        var line: String?
    }

    static func parse(_ xml: String, plugin: String) -> [DRDReport] {
        let pluginPath = URL(fileURLWithPath: plugin).resolvingSymlinksInPath().path
        var reports: [DRDReport] = []
        for error in elements("error", in: xml) {
            guard let stack = elements("stack", in: error).first else { continue }
            let frames = elements("frame", in: stack).map { frame in
                Frame(
                    object: URL(fileURLWithPath: text("obj", in: frame) ?? "").resolvingSymlinksInPath().path,
                    function: text("fn", in: frame), file: text("file", in: frame), line: text("line", in: frame))
            }
            // The plugin's access: a frame of the plugin's before the first frame of the driver's
            // (memset and memcpy, which DRD replaces, may come first).
            let driverIndex = frames.firstIndex { $0.function.map(isDriverCall) ?? false } ?? frames.count
            guard let mine = frames[..<driverIndex].first(where: { $0.object == pluginPath }) else { continue }
            let place =
                (mine.function ?? "?") + (mine.file.map { " (\($0)\(mine.line.map { ":\($0)" } ?? ""))" } ?? "")
            let calledAs = driverIndex < frames.count ? frames[driverIndex].function.map(callName) : nil
            let report = DRDReport(what: text("what", in: error) ?? "an error", place: place, calledAs: calledAs)
            if !reports.contains(where: { $0.place == report.place && $0.calledAs == report.calledAs }) {
                reports.append(report)
            }
        }
        // In the order of the calls, not of DRD's detection, which follows how the threads ran:
        // the same plugin gives the same lines in every run.
        return reports.sorted { ($0.callRank, $0.place, $0.access) < ($1.callRank, $1.place, $1.access) }
    }

    /// RAW malloc first, OBJ free last; a report with no driver call after every other.
    var callRank: Int {
        guard let call = calledAs?.split(separator: " "), call.count == 2,
            let domain = ["RAW", "MEM", "OBJ"].firstIndex(of: String(call[0])),
            let function = ["malloc", "calloc", "realloc", "free"].firstIndex(of: String(call[1]))
        else { return 99 }
        return domain * 4 + function
    }

    /// The driver's per-domain call functions: RAW_malloc, MEM_free, ...
    static func isDriverCall(_ function: String) -> Bool {
        ["RAW_", "MEM_", "OBJ_"].contains { function.hasPrefix($0) }
    }

    static func callName(_ function: String) -> String { function.replacingOccurrences(of: "_", with: " ") }

    /// The contents of every `<tag>…</tag>` in `xml` (DRD's elements do not nest in themselves).
    static func elements(_ tag: String, in xml: Substring) -> [Substring] {
        var found: [Substring] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(tag)>"), let close = rest[open.upperBound...].range(of: "</\(tag)>") {
            found.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return found
    }

    static func elements(_ tag: String, in xml: String) -> [Substring] { elements(tag, in: xml[...]) }

    static func text(_ tag: String, in xml: Substring) -> String? {
        elements(tag, in: xml).first.map {
            String($0).replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&")
        }
    }
}
