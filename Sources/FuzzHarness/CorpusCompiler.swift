import Foundation
import OpLanguage

/// The seed corpus is written in the text form (Corpus/seeds/TARGET/NAME.ops) and compiled to
/// the byte form libFuzzer reads (Corpus/TARGET/NAME.bin). Compiling is deterministic, so a
/// check can tell when the two are out of step.
public enum CorpusCompiler {
    public struct Entry: Sendable {
        public var source: String
        public var output: String
        public var bytes: [UInt8]
    }

    /// Every seed and the bytes it compiles to.
    public static func entries(root: String) throws -> [Entry] {
        let seeds = "\(root)/seeds"
        var entries: [Entry] = []
        for target in FuzzTarget.allCases {
            let folder = "\(seeds)/\(target.rawValue)"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names.sorted() where name.hasSuffix(".ops") {
                let program = try OpInput.load(checking: "\(folder)/\(name)")
                let bytes: [UInt8]
                do { bytes = try ByteForm.encode(program) } catch {
                    throw CorpusError(description: "\(folder)/\(name): \(error)")
                }
                let output = "\(root)/\(target.rawValue)/\((name as NSString).deletingPathExtension).bin"
                entries.append(Entry(source: "\(folder)/\(name)", output: output, bytes: bytes))
            }
        }
        return entries
    }

    /// Writes every compiled seed; returns how many changed.
    public static func compile(root: String) throws -> Int {
        var changed = 0
        for entry in try entries(root: root)
        where FileManager.default.contents(atPath: entry.output).map(Array.init) != entry.bytes {
            try FileManager.default.createDirectory(
                atPath: (entry.output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(entry.bytes).write(to: URL(fileURLWithPath: entry.output))
            changed += 1
        }
        return changed
    }

    /// The seeds whose compiled file is missing or differs.
    public static func stale(root: String) throws -> [String] {
        try entries(root: root).filter { FileManager.default.contents(atPath: $0.output).map(Array.init) != $0.bytes }
            .map(\.source)
    }
}

struct CorpusError: Error, CustomStringConvertible {
    var description: String
}
