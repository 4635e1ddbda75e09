import Foundation
import Glibc
import Isolation

/// The bytes programs write: never 0 and never a debug-hook byte run.
enum Pattern {
    static func byte(_ index: Int, seed: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: index &* 31 &+ 7 &+ Int(seed) &* 13) | 1
    }
}
