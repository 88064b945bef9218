"""graders/harness/candidate/worker.py: the collection between timed batches is cheap after the
first, because the first freezes what this process holds (a template's freeze before the fork
does not cover what the worker loads after it)."""
import subprocess
import sys

from tests.conftest import REPO_ROOT

PROBE = """
import gc, os
gc.freeze()                      # as a template does before it forks
held = [[i] for i in range(50_000)]   # what the worker loads after the fork: not frozen yet
before = gc.get_freeze_count()
from graders.harness.candidate import worker
worker.collect_between_batches()
after_first = gc.get_freeze_count()
import weakref
class Node: pass
node = Node(); node.itself = node; alive = weakref.ref(node); del node   # a cycle a batch leaves
gc.disable()                                                               # as inside a batch
worker.collect_between_batches()
print(before, after_first, gc.get_freeze_count(), int(alive() is not None))
"""


def test_the_first_collection_freezes_what_the_worker_loaded_and_later_ones_still_collect():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    before, after_first, after_second, cycle_alive = map(int, out.stdout.split())
    assert after_first >= before + 50_000, "the worker's own objects were frozen by the first collection"
    assert after_second == after_first, "only the first collection freezes"
    assert cycle_alive == 0, "what a batch left in a cycle is still collected"
