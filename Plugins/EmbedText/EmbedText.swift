import Foundation
import PackagePlugin

/// Builds text files of the package into a module (as `EmbeddedText.files`), so that a
/// pymemcheck binary copied anywhere carries them and reads nothing from the package at run time.
@main
struct EmbedText: BuildToolPlugin {
    /// What each module embeds: the files of a package folder whose names end with a suffix. The
    /// files stay where they are edited (the catalogue in Conformance/, the C prelude beside its
    /// generator); the build notices a change to any of them.
    static let embedded: [String: (folder: String, suffix: String)] = [
        "ClauseCatalogue": ("Conformance", ".yaml"),
        "Reproducer": ("Sources/Reproducer", ".c"),
    ]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let (folder, suffix) = Self.embedded[target.name] else {
            throw EmbedTextError("EmbedText has nothing to embed in \(target.name); add it to EmbedText.embedded")
        }
        let directory = context.package.directoryURL.appending(path: folder)
        let inputs = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasSuffix(suffix) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !inputs.isEmpty else {
            throw EmbedTextError("no \(suffix) files in \(folder) to embed in \(target.name)")
        }
        let script = context.package.directoryURL.appending(path: "Plugins/EmbedText/embed-text.sh")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedText.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) file(s) in \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path, output.path] + inputs.map(\.path),
                inputFiles: [script] + inputs, outputFiles: [output])
        ]
    }
}

struct EmbedTextError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
