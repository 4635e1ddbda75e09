import Foundation

/// The one protocol between pymemcheck and the processes it starts of itself (workers,
/// scenarios) or forks (checks that must die alone).
///
/// Framing: one message per line, `PYMEMCHECK-MESSAGE ` and then the message as JSON. The
/// encoder escapes every newline inside a string, so a message is always exactly one line, and
/// the prefix keeps whatever CPython or a plugin prints around it from being taken for one.
/// Both directions use it: the parent writes its request on the child's standard input, the
/// child its messages on standard output, each flushed as it is written, because a child that
/// dies next must already have said what it was doing.
public enum WorkerChannel {
    public static let prefix = "PYMEMCHECK-MESSAGE "

    /// A message as the line that carries it, newline included.
    public static func line<Message: Encodable>(_ message: Message) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(message)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        return prefix + json + "\n"
    }

    /// Writes a message on standard output and flushes every C stream: the parent may read it
    /// just before an abort.
    public static func send<Message: Encodable>(_ message: Message) {
        print(line(message), terminator: "")
        fflush(nil)
    }

    /// The messages of one type in a child's output, in order; other lines are skipped.
    public static func messages<Message: Decodable>(_ type: Message.Type, in text: String) -> [Message] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(prefix) else { return nil }
            return try? JSONDecoder().decode(Message.self, from: Data(line.dropFirst(prefix.count).utf8))
        }
    }

    /// The next message of the request on standard input; nil at its end.
    public static func receive<Message: Decodable>(_ type: Message.Type) -> Message? {
        while let line = readLine() {
            guard line.hasPrefix(prefix) else { continue }
            if let message = try? JSONDecoder().decode(Message.self, from: Data(line.dropFirst(prefix.count).utf8)) {
                return message
            }
        }
        return nil
    }
}

/// What the parent writes to a worker: its setup (every option it runs with), then the items.
public enum WorkerRequest<Setup: Codable, Item: Codable>: Codable {
    case setup(Setup)
    case item(Item)
}

/// What a worker writes back. Items are numbered in the order the worker received them.
public enum WorkerMessage<Response: Codable>: Codable {
    /// A step of the worker's set-up begins (starting the target, installing a plugin): if the
    /// worker dies now, the set-up failed, not the item, and a fresh worker would fail the same.
    case preparing(String)
    /// The set-up step is over (one taken inside an item: the item is in flight again).
    case ready
    /// The worker starts on an item: if it dies now, that item is charged.
    case started(Int)
    case answer(item: Int, response: Response)
    /// The set-up failed with an error: no item will be run.
    case unavailable(String)
}

/// For the messages that carry no response (`preparing`), whatever the worker's response type.
public struct NoResponse: Codable, Sendable {}

/// The child side: reads the setup, then answers each item in turn.
public enum WorkerService {
    /// `prepare` turns the setup into the per-item work; an error it throws, or one the work
    /// throws, is sent as `unavailable` and ends the service.
    public static func serve<Setup: Codable, Item: Codable, Response: Codable>(
        _ request: WorkerRequest<Setup, Item>.Type, response: Response.Type,
        prepare: (Setup) throws -> (Item) throws -> Response
    ) {
        CrashSignals.reportCrashes()
        guard case .setup(let setup)? = WorkerChannel.receive(request) else {
            return WorkerChannel.send(WorkerMessage<Response>.unavailable("the request has no setup"))
        }
        do {
            let work = try prepare(setup)
            var index = 0
            while case .item(let item)? = WorkerChannel.receive(request) {
                WorkerChannel.send(WorkerMessage<Response>.started(index))
                let response = try work(item)
                WorkerChannel.send(WorkerMessage<Response>.answer(item: index, response: response))
                index += 1
            }
        } catch {
            WorkerChannel.send(WorkerMessage<Response>.unavailable("\(error)"))
        }
    }

    /// Says which set-up step begins (see `WorkerMessage.preparing`).
    public static func preparing(_ step: String) {
        WorkerChannel.send(WorkerMessage<NoResponse>.preparing(step))
    }

    /// Says the set-up is over (see `WorkerMessage.ready`).
    public static func ready() {
        WorkerChannel.send(WorkerMessage<NoResponse>.ready)
    }
}
