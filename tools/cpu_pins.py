"""One set of CPU kernels on every x86-64 machine, so that float32 results print the same digits everywhere.

OpenBLAS picks its float32 kernels by CPU model (Haswell, SkylakeX, SapphireRapids...), and they round
differently; a chapter that trains in float32 amplifies that into different printed digits. Pinning kernels that
every x86-64 CPU since 2013 runs keeps the stored outputs reproducible on any machine. Jupyter kernels inherit
their parent's environment, so setting it in the process that starts them is enough:

- conftest.py (every pytest run, nbval's kernels included) and tools/run_notebooks.py (`make notebooks`) call
  pin();
- `make lab` runs `python tools/cpu_pins.py`, which prints them as NAME=value words for `env`.

A value already set in the environment is kept.
"""

import os
import platform

PINS = {
    "OPENBLAS_CORETYPE": "Haswell",
    "MKL_CBWR": "AVX2",  # the same idea for PyTorch's CPU kernels
    "ATEN_CPU_CAPABILITY": "avx2",
} if platform.machine() == "x86_64" else {}  # other CPUs have one kernel family: nothing to pin


def pin(environ=os.environ):
    """Set each pin in `environ` unless it is already set; return the values now in force."""
    for name, value in PINS.items():
        environ.setdefault(name, value)
    return {name: environ[name] for name in PINS}


if __name__ == "__main__":
    print(" ".join(f"{name}={value}" for name, value in pin().items()))
