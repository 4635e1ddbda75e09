#!/usr/bin/env python3
"""Points an instrumented library's coverage callbacks at libpymemcheck-sancov.so.

    rename-sancov.py FORWARDER LIBRARY...

Code built with -fsanitize=fuzzer-no-link calls __sanitizer_cov_* (and reads
__sancov_lowest_stack), and the dynamic loader binds those names to the first library that
defines them. In a fuzz binary with the static Swift standard library libFuzzer's definitions
are hidden (--exclude-libs ALL), and AddressSanitizer's shared runtime, which must come first,
defines its own: libpython's edges would go to ASan, not to libFuzzer. Renaming the library's
undefined references, in place and to names of the same length, to ones only the forwarder
defines (__sanitizer_cov_X -> __pymemcheck_covX, __sancov_lowest_stack -> __pmccov_lowest_stack)
binds them to the forwarder whatever else is loaded; a fuzz binary connects the forwarder to its
libFuzzer. Undefined symbols are in no hash table, so only .dynstr changes. Idempotent.
"""
import pathlib
import struct
import sys

RENAMES = [(b"__sanitizer_cov_", b"__pymemcheck_cov"), (b"__sancov_lowest_stack", b"__pmccov_lowest_stack")]
SHT_DYNSYM = 11


def fail(message):
    sys.exit(f"rename-sancov.py: {message}")


def dynamic_symbols(data, path):
    """(name offset in data, name, defined) for each dynamic symbol, and the .dynstr range."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        fail(f"{path} is not a little-endian 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    dynsym = next((s for s in sections if s[1] == SHT_DYNSYM), None)
    if dynsym is None:
        fail(f"{path} has no dynamic symbol table")
    dynstr = sections[dynsym[6]]
    strings_start, strings_end = dynstr[4], dynstr[4] + dynstr[5]
    symbols = []
    for offset in range(dynsym[4], dynsym[4] + dynsym[5], 24):
        name_offset, _, _, section_index = struct.unpack_from("<IBBH", data, offset)
        start = strings_start + name_offset
        end = data.index(b"\0", start)
        symbols.append((start, bytes(data[start:end]), section_index != 0))
    return symbols, (strings_start, strings_end)


def rename(name):
    """The new name, and how many of its leading bytes differ from the old one."""
    for old, new in RENAMES:
        if name.startswith(old):
            return new + name[len(old):], len(old)
    return None, 0


def main():
    if len(sys.argv) < 3:
        fail("usage: rename-sancov.py FORWARDER LIBRARY...")
    forwarder = sys.argv[1]
    provided = {name for _, name, defined in dynamic_symbols(pathlib.Path(forwarder).read_bytes(), forwarder)[0] if defined}
    for path in sys.argv[2:]:
        data = bytearray(pathlib.Path(path).read_bytes())
        symbols, _ = dynamic_symbols(data, path)
        starts = {start for start, _, _ in symbols}
        changed = 0
        for start, name, defined in symbols:
            new, changed_length = rename(name)
            if new is None:
                continue
            if defined:
                fail(f"{path} defines {name.decode()}: it is a coverage runtime, not instrumented code")
            if new not in provided:
                fail(f"{path} calls {name.decode()}, which {forwarder} does not forward; add it there")
            # Another name sharing these bytes (a merged string tail) would be renamed too.
            if any(start < other < start + changed_length for other in starts):
                fail(f"{path}: {name.decode()} shares its bytes with another symbol's name")
            data[start:start + len(new)] = new
            changed += 1
        if changed:
            pathlib.Path(path).write_bytes(data)


main()
