import ArgumentParser

/// The numeric options' parsers, given to `@Option(parsing: .unconditional, transform:)`: a
/// value out of range, not a number, NaN or infinite is one usage line that names the option
/// and its range. Unconditional parsing hands "-1" to the parser as the value instead of
/// reading it as an option, so `--jobs -1` is refused for its value, not a "missing value".
enum NumberOption {
    static func whole(_ option: String, _ range: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
        { text in
            guard let value = Int(text), range.contains(value) else {
                throw ValidationError(
                    "\(option) must be a whole number of at least \(range.lowerBound) "
                        + "and at most \(range.upperBound)")
            }
            return value
        }
    }

    static func seconds(_ option: String, _ range: ClosedRange<Double>) -> @Sendable (String) throws -> Double {
        { text in
            guard let value = Double(text), value.isFinite, range.contains(value) else {
                throw ValidationError(
                    "\(option) must be a number of seconds of at least \(Int(range.lowerBound)) "
                        + "and at most \(Int(range.upperBound))")
            }
            return value
        }
    }
}
