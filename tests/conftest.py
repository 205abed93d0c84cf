import matplotlib
from hypothesis import HealthCheck, settings

# Tests draw figures without a screen.
matplotlib.use("Agg")

# CI runs on 2 shared cores: a slow example is not a failure, so no per-example deadline.
settings.register_profile("course", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")
