import Foundation
import OpLanguage
import Oracle

/// The harness's speed, measured on one started target: programs decoded from a fixed stream
/// of pseudo-random bytes (the same every run), run with the oracle on and then as a bare
/// replay of the same op stream with the oracle off.
public enum Bench {
    public struct Figures: Sendable, Codable {
        public var programs: Int
        public var ops: Int
        public var secondsWithOracle: Double
        public var secondsBare: Double
        public var execPerSecond: Double { Double(programs) / secondsWithOracle }
        public var opsPerSecond: Double { Double(ops) / secondsWithOracle }
        public var bareOpsPerSecond: Double { Double(ops) / secondsBare }
        /// Time per op with the oracle over time per op of the bare replay.
        public var ratio: Double { secondsWithOracle / secondsBare }
    }

    /// `count` legal programs of up to `maxOps` ops each (violations, raw-thread and on ops
    /// left out: they fork or measure thread hand-off, not the harness).
    public static func programs(count: Int, maxOps: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [Program] {
        var random = XorShift64(seed: seed)
        return (0..<count).map { _ in
            let bytes = [ByteForm.version] + (0..<(maxOps * 4)).map { _ in random.nextByte() }
            let ops = ((try? ByteForm.decode(bytes))?.ops ?? []).filter { op in
                switch op {
                case .rawThread, .on: return false
                default: break
                }
                return !op.isViolation
            }
            return Program(Array(ops.prefix(maxOps)))
        }
    }

    /// `progress` is told each phase as it starts (outside the timed loops).
    public static func run(
        _ runner: ProgramRunner, programs: [Program],
        progress: (String) -> Void = { _ in }
    ) -> Figures {
        runner.session.setHostile(false)
        let ops = programs.reduce(0) { $0 + $1.ops.count }
        func time(checking: Bool) -> Double {
            runner.checking = checking
            let start = DispatchTime.now().uptimeNanoseconds
            for program in programs { _ = runner.run(program.ops) }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        progress("warming up")
        _ = time(checking: true) // warm up: arenas, caches
        progress("bare replay")
        let bare = time(checking: false)
        progress("with the oracle")
        let full = time(checking: true)
        runner.checking = true
        return Figures(programs: programs.count, ops: ops, secondsWithOracle: full, secondsBare: bare)
    }
}
