"""The verdict names of DESIGN.md. A contract: extend, never rename."""
from __future__ import annotations

ACCEPTED = "accepted"
WRONG_ANSWER = "wrong_answer"
TIME_LIMIT_EXCEEDED = "time_limit_exceeded"
MEMORY_LIMIT_EXCEEDED = "memory_limit_exceeded"
OUTPUT_LIMIT_EXCEEDED = "output_limit_exceeded"
RUNTIME_ERROR = "runtime_error"
COMPILE_ERROR = "compile_error"
REJECTED = "rejected"
INTERNAL_ERROR = "internal_error"

ALL = (
    ACCEPTED,
    WRONG_ANSWER,
    TIME_LIMIT_EXCEEDED,
    MEMORY_LIMIT_EXCEEDED,
    OUTPUT_LIMIT_EXCEEDED,
    RUNTIME_ERROR,
    COMPILE_ERROR,
    REJECTED,
    INTERNAL_ERROR,
)

# Never counted against the candidate; retried automatically.
RETRYABLE = frozenset({INTERNAL_ERROR})
