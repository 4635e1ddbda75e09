import OpLanguage
import PyRuntime

extension OpInput {
    /// An input a user named: checked and read by InputFile (a folder, a FIFO, a device or a
    /// huge file is refused in one line, and the read has a time limit), then parsed in
    /// either form.
    public static func load(checking path: String) throws -> Program {
        try load(bytes: InputFile.read(path, as: .opInput), path: path)
    }
}
