"""Settings for every pytest run, the notebooks (nbval) included."""

import runpy
from pathlib import Path

# The notebook kernels nbval starts inherit this process's environment: pin the CPU kernels there, so float32
# chapters print their stored digits on any CI machine (tools/cpu_pins.py says why; `make notebooks` and
# `make lab` pin the same). Set here, at the root, so `pytest notebooks/...` alone gets it too.
runpy.run_path(str(Path(__file__).parent / "tools" / "cpu_pins.py"))["pin"]()
