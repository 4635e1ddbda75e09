import os, subprocess, sys
PY = {v: os.path.expanduser(f"~/.pyenv/versions/{v}/bin/python3") for v in
      ["3.6.15","3.7.16","3.8.18","3.9.18","3.10.13","3.11.7","3.12.1","3.13.0"]}
PY["3.11d"] = "/usr/bin/python3.11d"
T = "import _testcapi; _testcapi."
CASES = {
  "trailing-pad": ["-c", T + "pymem_buffer_overflow()"],
  "api-misuse": ["-c", T + "pymem_api_misuse()"],
  "leading-pad": ["/tmp/drcap/cases.py", "leading_pad"],
  "bad-id": ["/tmp/drcap/cases.py", "bad_id"],
  "without-gil-mem": ["-c", T + "pymem_malloc_without_gil()"],
  "without-gil-obj": ["-c", T + "pyobject_malloc_without_gil()"],
  "tracemalloc": ["-X", "tracemalloc=5", "/tmp/drcap/cases.py", "tracemalloc_case"],
  "api-id-byte": ["/tmp/drcap/cases.py", "api_id_byte"],
  "zero-bytes": ["/tmp/drcap/cases.py", "zero_bytes"],
  "other-thread": ["/tmp/drcap/cases.py", "other_thread"],
}
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
env = dict(os.environ, PYTHONMALLOC="debug")
for v, exe in PY.items():
    for c, args in CASES.items():
        r = subprocess.run([exe] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/tmp/drcap")
        with open(f"{out}/{v}-{c}.txt", "wb") as f:
            f.write(r.stderr)
        print(v, c, r.returncode, len(r.stderr))
