"""The handlers of the grader kinds that run outside the sandbox, one module each.

Each module has `grade(*, job, spec)`, registered in `graders.registry`: it returns a passing
check (grading goes on) or a `GradeResult` (a verdict is reached). Sandbox kinds have no
module here: their handler is a harness step (`graders/harness/steps/`).
"""
