"""Settings for every pytest run, the notebooks (nbval) included."""

import os
import platform

# The notebook kernels nbval starts inherit this. OpenBLAS picks its float32 kernels by CPU model
# (Haswell, SkylakeX, SapphireRapids...), and they round differently; a chapter that trains in float32
# amplifies that into different printed digits. Pinning one kernel that every x86-64 CPU since 2013
# runs keeps the stored outputs reproducible on any CI machine (tools/run_notebooks.py does the same).
# Set here, at the root, so `pytest notebooks/...` alone gets it too.
if platform.machine() == "x86_64":
    os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
    os.environ.setdefault("MKL_CBWR", "AVX2")  # the same idea for PyTorch's CPU kernels
    os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")
