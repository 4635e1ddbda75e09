import Foundation

/// `pymemcheck bench`: the fuzz harness's speed on one target and mode. Rates are null where
/// the time they divide by was zero (nothing ran).
public struct BenchDocument: Sendable, Codable, Equatable {
    public var schema = "pymemcheck-bench/1"
    public var target: String
    public var mode: String
    public var programs: Int
    public var ops: Int
    /// Ops per program at most.
    public var maxOps: Int
    public var secondsWithOracle: Double
    /// The same op stream replayed with the oracle off.
    public var secondsBare: Double
    @ExplicitNull public var execPerSecond: Double?
    @ExplicitNull public var opsPerSecond: Double?
    @ExplicitNull public var bareOpsPerSecond: Double?
    /// Time per op with the oracle over time per op of the bare replay.
    @ExplicitNull public var ratio: Double?

    public func text() -> String {
        let lines = [
            "\(target) \(mode): \(programs) programs, \(ops) ops (up to \(maxOps) per program)",
            "  with the oracle: \(figure(execPerSecond)) programs/s, \(figure(opsPerSecond)) ops/s",
            "  bare replay:     \(figure(bareOpsPerSecond)) ops/s; "
                + "harness time per op / bare = \(figure(ratio, "%.2f"))",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}

extension BenchDocument {
    /// The figures as measured, and the rates they give.
    public init(
        target: String, mode: String, programs: Int, ops: Int, maxOps: Int, secondsWithOracle: Double,
        secondsBare: Double
    ) {
        self.init(
            target: target, mode: mode, programs: programs, ops: ops, maxOps: maxOps,
            secondsWithOracle: secondsWithOracle, secondsBare: secondsBare,
            execPerSecond: rate(Double(programs), secondsWithOracle),
            opsPerSecond: rate(Double(ops), secondsWithOracle),
            bareOpsPerSecond: rate(Double(ops), secondsBare), ratio: rate(secondsWithOracle, secondsBare))
    }
}

private func rate(_ amount: Double, _ seconds: Double) -> Double? {
    seconds > 0 ? amount / seconds : nil
}

private func figure(_ value: Double?, _ format: String = "%.0f") -> String {
    value.map { String(format: format, $0) } ?? "n/a"
}
