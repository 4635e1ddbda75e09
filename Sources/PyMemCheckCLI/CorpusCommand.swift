import ArgumentParser
import Foundation
import FuzzHarness
import PyRuntime
import Vocabulary

/// `pymemcheck corpus`: compiles the text-form seeds (Corpus/seeds/TARGET/*.ops) into the byte
/// form libFuzzer reads (Corpus/TARGET/*.bin), or checks that they are in step.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Compile the text-form seed corpus to bytes (or --check it).")

    @Option(help: "The corpus folder.") var root = "Corpus"
    @Flag(help: "Only check that every seed's compiled file is up to date.") var check = false

    func run() throws {
        try reportingErrors {
            guard FileManager.default.fileExists(atPath: "\(root)/seeds") else {
                throw PyMemCheckError.usage("\(root)/seeds not found; run from the pymemcheck folder or give --root")
            }
            do {
                if check {
                    let stale = try CorpusCompiler.stale(root: root)
                    for file in stale { print("out of date: \(file)") }
                    if !stale.isEmpty {
                        throw PyMemCheckError.runtime("\(stale.count) seed(s) not compiled; run pymemcheck corpus")
                    }
                    print("corpus up to date")
                } else {
                    print("compiled \(try CorpusCompiler.compile(root: root)) seed(s)")
                }
            } catch let error as PyMemCheckError {
                throw error
            } catch {
                throw PyMemCheckError.usage("\(error)")
            }
        }
    }
}
