/// The byte ranges of a block whose contents the oracle knows: sorted, disjoint, merged.
/// (malloc without the debug hooks gives bytes nobody may rely on; writes make them known.)
public struct KnownRanges: Sendable, Equatable {
    public private(set) var ranges: [Range<Int>] = []

    public init() {}
    public init(_ range: Range<Int>) { if !range.isEmpty { ranges = [range] } }

    public mutating func insert(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        var merged = range
        var kept: [Range<Int>] = []
        for existing in ranges {
            if existing.upperBound < merged.lowerBound || existing.lowerBound > merged.upperBound {
                kept.append(existing)
            } else {
                merged = min(existing.lowerBound, merged.lowerBound)..<max(existing.upperBound, merged.upperBound)
            }
        }
        kept.append(merged)
        ranges = kept.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// Forgets everything at and after `size` (a block shrunk).
    public mutating func truncate(to size: Int) {
        ranges = ranges.compactMap { range in
            range.lowerBound >= size ? nil : range.lowerBound..<min(range.upperBound, size)
        }
    }
}
