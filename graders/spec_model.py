"""What a loaded `challenge.toml` is: the field vocabularies and the frozen spec objects.

`graders.spec` loads and validates a package into these (and re-exports every name here);
import from `graders.spec`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("kernel", "pipeline", "server", "benchmark", "quiz", "written")
DIFFICULTIES = ("easy", "medium", "hard")
DEVICE_KINDS = ("cpu", "cuda")
DTYPES = ("float64", "float32", "float16", "bfloat16")
METRICS = ("rel_l2", "max_abs", "custom")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
DEFAULT_FILES = {
    "statement": "statement.md",
    "starter": "starter",
    "reference": "reference",
    "tests": "tests",
    "known_bad": "known_bad",
    "hints": "hints.md",
    "editorial": "editorial.md",
    "rubric": "",
}
# Paths that are never shown to a candidate, whatever a page asks for.
HIDDEN_FILE_KEYS = ("reference", "tests", "known_bad", "rubric")


class SpecError(ValueError):
    """A spec problem, phrased as `<file>: <field>: <what is wrong>`."""


@dataclass(frozen=True)
class Tolerance:
    metric: str
    per_dtype: dict[str, float]

    @property
    def dtypes(self) -> list[str]:
        return list(self.per_dtype)


@dataclass(frozen=True)
class DeviceSpec:
    kind: str  # "cpu" | "cuda", or "cuda.h100" for a per-class override
    shapes: list[list[int]]
    hidden_shapes: list[list[int]]
    tolerance: Tolerance | None
    limits: dict[str, float]
    targets: dict[str, list[float]]
    reference_tier: int | None
    params: dict[str, Any]

    @property
    def dtypes(self) -> list[str]:
        return self.tolerance.dtypes if self.tolerance else ["float32"]

    def tiers(self, metric: str = "speedup") -> list[float]:
        return list(self.targets.get(metric, []))


@dataclass(frozen=True)
class ChallengeSpec:
    slug: str
    kind: str
    title: str
    difficulty: str
    tags: list[str]
    root: Path
    entry_file: str
    entry_callable: str
    graders: list[str]
    forbidden_calls: list[str]
    forbidden_constructs: list[str]
    devices: dict[str, DeviceSpec]
    files: dict[str, str]
    harness: dict[str, str]
    starter_expect: str
    scoring: str
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    # Dispatcher ops blocked in the candidate's worker beyond those `forbidden_calls` reach
    # (the harness's op table maps those), e.g. ["aten::log_softmax"].
    forbidden_ops: list[str] = field(default_factory=list)

    def path(self, key: str) -> Path:
        return self.root / self.files[key]

    def device(self, *, kind: str, device_class: str | None = None) -> DeviceSpec:
        """The per-class table where one exists (`cuda.h100`), else the kind's."""
        if device_class and f"{kind}.{device_class}" in self.devices:
            base = self.devices.get(kind)
            override = self.devices[f"{kind}.{device_class}"]
            return merge_device(base, override) if base else override
        try:
            return self.devices[kind]
        except KeyError:
            raise SpecError(f"{self.root / 'challenge.toml'}: devices: no [devices.{kind}] table") from None

    def device_kinds(self) -> list[str]:
        return [k for k in self.devices if "." not in k]


def merge_device(base: DeviceSpec, override: DeviceSpec) -> DeviceSpec:
    return DeviceSpec(
        kind=override.kind,
        shapes=override.shapes or base.shapes,
        hidden_shapes=override.hidden_shapes or base.hidden_shapes,
        tolerance=override.tolerance or base.tolerance,
        limits={**base.limits, **override.limits},
        targets={**base.targets, **override.targets},
        reference_tier=override.reference_tier if override.reference_tier is not None else base.reference_tier,
        params={**base.params, **override.params},
    )
