import ctypes, sys
api = ctypes.pythonapi
for name in ("PyMem_Malloc", "PyObject_Malloc"):
    getattr(api, name).restype = ctypes.c_void_p
    getattr(api, name).argtypes = [ctypes.c_size_t]
for name in ("PyMem_Free", "PyObject_Free"):
    getattr(api, name).restype = None
    getattr(api, name).argtypes = [ctypes.c_void_p]

def poke(addr, value):
    ctypes.c_ubyte.from_address(addr).value = value

def leading_pad():
    p = api.PyMem_Malloc(16)
    poke(p - 3, 0x00)
    api.PyMem_Free(p)

def bad_id():
    p = api.PyMem_Malloc(16)
    api.PyObject_Free(p)

def fill(p, n):
    for i in range(n):
        poke(p + i, i)

def allocate_block():
    p = api.PyMem_Malloc(64)
    fill(p, 64)
    return p

def corrupt_tail(p):
    poke(p + 64 + 5, ord("x"))

def release(p):
    api.PyMem_Free(p)

def tracemalloc_case():
    p = allocate_block()
    corrupt_tail(p)
    release(p)

def api_id_byte():
    p = api.PyMem_Malloc(16)
    poke(p - 8, ord("z"))
    api.PyMem_Free(p)

def zero_bytes():
    p = api.PyMem_Malloc(0)
    poke(p, ord("x"))
    api.PyMem_Free(p)

def sleeper(started):
    started.set()
    import time
    time.sleep(30)

def other_thread():
    import threading
    started = threading.Event()
    threading.Thread(target=sleeper, args=(started,), daemon=True).start()
    started.wait()
    bad_id()

globals()[sys.argv[1]]()
