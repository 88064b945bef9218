"""Worker side: runs in a worker process, beside the candidate's code; trusted by no one.

Every module here is shipped in the workers' library (world-readable) and may import only
this package and `graders.harness.shared` (checked when the bundle is made: libraries.py).
"""
