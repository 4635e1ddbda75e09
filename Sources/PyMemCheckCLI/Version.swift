/// pymemcheck's version, as `pymemcheck --version` prints it: the one place it is written.
enum PyMemCheckVersion {
    static let number = "0.15.0"
}
