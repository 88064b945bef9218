"""Imported by both sides of the sandbox (supervisor and worker): the channel's framing, the
input cipher and the forbidden-op table. Nothing here may import supervisor-side code,
since the workers' library ships this package too (libraries.py)."""
