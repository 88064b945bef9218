"""The in-sandbox harness: a trusted supervisor and an untrusted worker.

Runs with the standard library, torch and numpy only, so that it works in any CUDA
image and on a bare GPU host. See DESIGN.md and ANTI_CHEAT.md.
"""
