import Foundation
import Isolation
import TestSupport
import XCTest

/// The worker pool and its protocol, with a stand-in worker (a python3 script speaking the
/// documented framing): an item that kills its worker is charged alone and a fresh worker
/// takes the rest; a worker that dies while setting up, or says it cannot, loses every item
/// once, with the reason.
final class WorkerPoolTests: XCTestCase {
    typealias Pool = WorkerPool<String, String, String>

    /// Answers each item in upper case; "crash" ends it with SIGSEGV. Its setup says how it
    /// behaves before any item ("serves": a set-up step that ends before the items).
    static let standIn = """
        import json, os, signal, sys
        PREFIX = "PYMEMCHECK-MESSAGE "
        def send(message):
            sys.stdout.write(PREFIX + json.dumps(message) + "\\n")
            sys.stdout.flush()
        request = [json.loads(line[len(PREFIX):]) for line in sys.stdin if line.startswith(PREFIX)]
        setup = request[0]["setup"]["_0"]
        if setup == "dies-preparing":
            send({"preparing": {"_0": "installing the allocator"}})
            os.kill(os.getpid(), signal.SIGSEGV)
        if setup == "serves":
            send({"preparing": {"_0": "starting"}})
            send({"ready": {}})
        if setup == "refuses":
            send({"unavailable": {"_0": "no such target"}})
            sys.exit(0)
        for index, message in enumerate(request[1:]):
            item = message["item"]["_0"]
            send({"started": {"_0": index}})
            if item == "crash":
                os.kill(os.getpid(), signal.SIGSEGV)
            send({"answer": {"item": index, "response": item.upper()}})
        """

    func pool(_ setup: String) throws -> Pool {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pymemcheck-stand-in-\(getpid()).py")
        try Self.standIn.write(to: script, atomically: true, encoding: .utf8)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            throw Requirement.missing("the stand-in worker needs /usr/bin/python3 (apt-get install python3)")
        }
        return Pool(
            subcommand: script.path, setup: setup, executable: "/usr/bin/python3",
            timeout: { _ in 30 }, silenceLimit: 30)
    }

    func testACrashIsChargedToItsItemAndAFreshWorkerTakesTheRest() throws {
        let outcomes = try pool("serves").run(["a", "crash", "b", "c"])
        XCTAssertEqual(outcomes.map(Self.describe), ["A", "charged: terminated by signal 11 (SIGSEGV)", "B", "C"])
    }

    func testADeathWhileSettingUpLosesEveryItemOnceWithTheStep() throws {
        let outcomes = try pool("dies-preparing").run(["a", "b"])
        XCTAssertEqual(
            outcomes.map(Self.describe),
            Array(
                repeating: "not run: died while installing the allocator: terminated by signal 11 (SIGSEGV)", count: 2)
        )
    }

    func testARefusalLosesEveryItemWithItsReason() throws {
        let outcomes = try pool("refuses").run(["a", "b"])
        XCTAssertEqual(
            outcomes.map(Self.describe), ["not run: refused: no such target", "not run: refused: no such target"])
    }

    func testAMessageIsOneLineWhateverItCarries() {
        let line = WorkerChannel.line(WorkerMessage<String>.answer(item: 3, response: "two\nlines"))
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, line)
        let noise = "CPython says hello\n" + line + "PYMEMCHECK-MESSAGE {broken\n"
        let messages = WorkerChannel.messages(WorkerMessage<String>.self, in: noise)
        guard messages.count == 1, case .answer(3, "two\nlines") = messages[0] else {
            return XCTFail("read back as \(messages)")
        }
    }

    static func describe(_ outcome: Pool.Outcome) -> String {
        switch outcome {
        case .answered(let response): return response
        case .charged(let child): return "charged: \(child.summary)"
        case .notRun(.cannotStart(let error)): return "not run: cannot start: \(error)"
        case .notRun(.refused(let error)): return "not run: refused: \(error)"
        case .notRun(.died(let child, let step)): return "not run: died while \(step ?? "-"): \(child.summary)"
        }
    }
}
