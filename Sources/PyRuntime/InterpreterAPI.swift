import CPythonABI

/// The C API of interpreters with their own GIL (3.12+), looked up in the target.
public enum InterpreterAPI {
    public static func look(up library: PythonLibrary) -> PMCInterpreterAPI? {
        let names = [
            "Py_NewInterpreterFromConfig", "Py_EndInterpreter", "PyThreadState_Get", "PyThreadState_Swap",
            "PyThreadState_GetInterpreter", "PyThreadState_New", "PyThreadState_Clear", "PyThreadState_DeleteCurrent",
            "PyEval_SaveThread", "PyEval_RestoreThread", "PyMem_Malloc", "PyMem_Free", "PyObject_Malloc",
            "PyObject_Free",
        ]
        let found = names.compactMap { library.optionalSymbol($0, as: UnsafeMutableRawPointer.self) }
        guard found.count == names.count else { return nil }
        return PMCInterpreterAPI(
            new_interpreter_from_config: found[0], end_interpreter: found[1], thread_state_get: found[2],
            thread_state_swap: found[3], thread_state_get_interpreter: found[4], thread_state_new: found[5],
            thread_state_clear: found[6], thread_state_delete_current: found[7], eval_save_thread: found[8],
            eval_restore_thread: found[9], mem_malloc: found[10], mem_free: found[11], obj_malloc: found[12],
            obj_free: found[13])
    }
}
