import ArgumentParser
import ClauseCatalogue
import Foundation
import Isolation
import PyRuntime

/// Runs a command body and turns every error a user can cause into one line on stderr and an
/// exit code (2 usage or environment, 1 a failed check), never a trap or a backtrace.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as PyMemCheckError {
        fail(error.description, code: error.exitCode == 1 && isNotApplicable(error) ? 2 : error.exitCode)
    } catch let error as ChildProcess.SpawnError {
        fail(error.description, code: 2)
    } catch let error as CatalogueError {
        fail(error.description, code: 2)  // no catalogue, or a broken one: the environment's fault
    } catch let error as ExitCode {
        throw error
    }
}

private func isNotApplicable(_ error: PyMemCheckError) -> Bool {
    if case .notApplicable = error { return true }
    return false
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("pymemcheck: \(message)\n".utf8))
    Foundation.exit(code)
}
