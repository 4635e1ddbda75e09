import CPythonABI
import PyRuntime

/// A subinterpreter made and ended as CPython's own tests do (_testcapi.run_in_subinterp).
public enum Subinterpreter {
    typealias Swap = @convention(c) (OpaquePointer?) -> OpaquePointer?
    typealias Make = @convention(c) () -> OpaquePointer?
    typealias End = @convention(c) (OpaquePointer?) -> Void

    /// False when the target lacks the functions.
    public static func makeAndEnd(_ library: PythonLibrary) -> Bool {
        guard let swap = library.optionalSymbol("PyThreadState_Swap", as: Swap.self),
            let make = library.optionalSymbol("Py_NewInterpreter", as: Make.self),
            let end = library.optionalSymbol("Py_EndInterpreter", as: End.self)
        else { return false }
        let main = swap(nil)
        end(make())
        _ = swap(main)
        return true
    }
}
