"""The in-sandbox harness: a trusted supervisor and untrusted worker processes.

The path says which side of the sandbox a module runs on:

- ``graders/harness/*.py`` and ``graders/harness/steps/``: the **trusted supervisor**
  (``python -m graders.harness``). It never loads candidate code; its library (``lib/``) is
  unreadable to the candidate's uid. ``bench_measure.py`` is the one exception in place: it
  is trusted code that only the trusted benchmark worker loads, from ``trusted_lib/``.
- ``graders/harness/candidate/``: code that runs **inside a worker process**, beside the
  candidate's code (``python -m graders.harness.candidate.worker``). The baseline and trusted
  benchmark workers run it too, but it is written for the candidate's process: nothing it
  reports is trusted by the supervisor.
- ``graders/harness/shared/``: what **both sides** import (the channel's framing, the input
  cipher, the table of forbidden ops).

Only ``candidate/`` and ``shared/`` are copied into the workers' library, and a module there
that imports supervisor-side code stops the bundle from being made (libraries.py).
Runs with the standard library, torch and numpy only, so that it works in any CUDA image and
on a bare GPU host. See DESIGN.md and ANTI_CHEAT.md.
"""
