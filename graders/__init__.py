"""Everything that judges a submission. Never imports Django (a test enforces it).

Kept free of imports so that `graders.harness` can be copied into a sandbox bundle
and imported there with torch alone.
"""
