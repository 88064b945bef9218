import sys

from graders.harness.supervisor import main

sys.exit(main())
