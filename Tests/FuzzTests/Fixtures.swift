import PyRuntime

enum PythonVersionFixture {
    static let v313 = PythonVersion(3, 13, 0)
}
