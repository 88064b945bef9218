"""`python -m graders.harness`: the supervisor's entry point (trusted side of the sandbox; see supervisor.py)."""
import sys

from graders.harness.supervisor import main

sys.exit(main())
