import Foundation
import PyRuntime
import Vocabulary

/// What `pymemcheck probe` saw of a started runtime. Field names are stable (README, "JSON").
public struct ProbeDocument: Sendable, Codable, Equatable {
    public struct Block: Sendable, Codable, Equatable {
        public var domain: String
        public var requested: Int
        public var address: String
        /// The debug hooks' layout around the block, as read; null where they are not installed.
        @ExplicitNull public var debugLayout: BlockLayout?
    }

    public var schema = "pymemcheck-probe/1"
    public var target: TargetEntry
    public var mode: String
    /// CPython's own allocator name where it reports one (3.7+), else derived from what was seen.
    public var modeInEffect: String
    @ExplicitNull public var allocatorName: String?
    /// Per domain (raw, mem, obj): whether the debug hooks are installed.
    public var debugHooks: [String: Bool]
    public var debugHooksOn: Bool
    @ExplicitNull public var arenaSize: Int?
    public var blocks: [Block]

    public func text() -> String {
        let origin = "\(target.debugBuild ? "debug" : "release") build, \(target.origin.rawValue)"
        let observed = allocatorName == nil ? " (observed; this version reports no allocator name)" : ""
        let arenas =
            arenaSize.map { "pymalloc arenas of \(Self.byteSize($0))" }
            ?? "none requested (pymalloc not in use)"
        let hooks = ["raw", "mem", "obj"].map { "\($0) \(onOff(debugHooks[$0] == true))" }.joined(separator: ", ")
        let lines =
            [
                "target:        \(target.id) (\(origin)) \(target.libraryPath)",
                "version:       \(target.versionString.split(separator: "\n").joined(separator: " "))",
                "mode:          \(mode)",
                "in effect:     \(modeInEffect)\(observed)",
                "debug hooks:   \(onOff(debugHooksOn)) (\(hooks))",
                "arenas:        \(arenas)",
                "blocks:",
            ] + blocks.map(Self.line)
        return lines.joined(separator: "\n") + "\n"
    }

    static func line(_ block: Block) -> String {
        let place = "  \(padded(block.domain, 3)) \(padded(String(block.requested), 4)) bytes at \(block.address)"
        guard let layout = block.debugLayout else { return place + ": no debug layout" }
        return place + ": size \(layout.headerSize), API '\(layout.apiID)', lead \(hex(layout.leadingPad)), "
            + "tail \(hex(layout.trailingPad)), data \(hex(layout.firstBytes))"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func byteSize(_ bytes: Int) -> String {
        if bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        return bytes % 1024 == 0 ? "\(bytes >> 10) KiB" : "\(bytes) bytes"
    }
}

extension ProbeDocument {
    public init(_ report: ProbeReport) {
        let blocks = report.blocks.map {
            Block(domain: $0.domain, requested: $0.requested, address: $0.address, debugLayout: $0.debugLayout)
        }
        self.init(
            target: TargetEntry(report.target), mode: report.mode, modeInEffect: report.modeInEffect,
            allocatorName: report.allocatorName, debugHooks: report.debugHooks,
            debugHooksOn: report.debugHooksOn,
            arenaSize: report.arenaSize, blocks: blocks)
    }
}

private func onOff(_ on: Bool) -> String { on ? "on" : "off" }
