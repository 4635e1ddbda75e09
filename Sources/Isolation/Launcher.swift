/// How a child process is started: directly, or through another C library's dynamic loader
/// (a target that needs a newer glibc than the machine's runs only on its own, and so does
/// every process that loads it).
public struct Launcher: Sendable, Hashable, Codable {
    /// The loader to start the program with (ld-linux-*.so.*); nil: the program is started itself.
    public var loader: String?
    /// Where that loader looks first (its --library-path).
    public var libraryPath: [String]

    public init(loader: String?, libraryPath: [String]) {
        self.loader = loader
        self.libraryPath = libraryPath
    }

    public static let direct = Launcher(loader: nil, libraryPath: [])

    /// The executable and arguments that start `executable arguments` this way.
    public func command(_ executable: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        guard let loader else { return (executable, arguments) }
        return (loader, ["--library-path", libraryPath.joined(separator: ":"), executable] + arguments)
    }

    /// The same as a shell line, for a message that tells a user how to run it by hand.
    public func shellPrefix() -> String {
        guard let loader else { return "" }
        return "\(loader) --library-path \(libraryPath.joined(separator: ":")) "
    }
}
