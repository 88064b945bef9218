# expect: rejected
# trick: reusing the grader: find the bundle's other library dirs next to the worker's own
# (the supervisor's lib/ and the trusted worker's trusted_lib/), read the trusted measuring code
# by path and exec it, so no import of a grader module ever shows in sys.modules
import pathlib

import graders.harness

WORKER_LIB = pathlib.Path(graders.harness.__file__).resolve().parents[2]
BUNDLE = WORKER_LIB.parent
SOURCE = (BUNDLE / "trusted_lib" / "bench_measure.py").read_text()
NAMESPACE: dict = {"__name__": "not_the_grader"}
exec(compile(SOURCE, "measure.py", "exec"), NAMESPACE)


def benchmark(fn):
    return NAMESPACE["median_per_call"](fn, min_run_time=0.2)
