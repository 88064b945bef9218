"""`challenge.toml`: loading and validation. Every error names the file and the field.

A spec never reaches a candidate; only `statement.md` (and, after solving, the editorial)
is served. What a loaded spec is (the vocabularies, `ChallengeSpec`, `DeviceSpec`,
`Tolerance`, `SpecError`) lives in `graders/spec_model.py`; every name there is importable
from here.
"""
from __future__ import annotations

import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

from graders import verdicts
from graders.spec_model import (  # noqa: F401 - re-exported: `graders.spec` is the public module
    DEFAULT_FILES,
    DEVICE_KINDS,
    DIFFICULTIES,
    DTYPES,
    HIDDEN_FILE_KEYS,
    KINDS,
    METRICS,
    SLUG_RE,
    ChallengeSpec,
    DeviceSpec,
    SpecError,
    Tolerance,
    merge_device,
)
from graders.submission_files import LIMITS as SUBMISSION_LIMITS


def path_stays_inside(relative: str) -> bool:
    """Whether a package-relative path names something inside the package: not absolute, no
    `..` part. The one rule for the spec's `files` and the importers' written files."""
    path = PurePosixPath(relative)
    return not path.is_absolute() and ".." not in path.parts


def load_spec(root: Path) -> ChallengeSpec:
    """Load and validate `<root>/challenge.toml`."""
    toml_path = Path(root) / "challenge.toml"
    if not toml_path.is_file():
        raise SpecError(f"{toml_path}: file not found")
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{toml_path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{toml_path}: not UTF-8 text") from None
    return _Validator(toml_path, data).spec()


class _Validator:
    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.root = path.parent
        self.data = data

    def fail(self, field_name: str, problem: str) -> SpecError:
        return SpecError(f"{self.path}: {field_name}: {problem}")

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ..., where: dict | None = None, prefix: str = "") -> Any:
        table = self.data if where is None else where
        if name not in table:
            if default is ...:
                raise self.fail(prefix + name, "required field is missing")
            return default
        value = table[name]
        if not isinstance(value, kind) or isinstance(value, bool) and kind in (int, float, (int, float)):
            raise self.fail(prefix + name, f"expected {_type_name(kind)}, got {type(value).__name__}")
        return value

    def spec(self) -> ChallengeSpec:
        slug = self.get("slug", str)
        if not SLUG_RE.match(slug):
            raise self.fail("slug", f"{slug!r} must be lower-case letters, digits and '-' (2-80 chars)")
        if slug != self.root.name:
            raise self.fail("slug", f"{slug!r} must equal the package folder's name {self.root.name!r}")
        kind = self._choice("kind", KINDS)
        files = self._files(kind)
        entry_file, entry_callable = self._entry(kind)
        spec = ChallengeSpec(
            slug=slug,
            kind=kind,
            title=self._nonempty("title"),
            difficulty=self._choice("difficulty", DIFFICULTIES),
            tags=self._str_list("tags", default=[]),
            root=self.root,
            entry_file=entry_file,
            entry_callable=entry_callable,
            graders=self._str_list("graders", default=_default_graders(kind)),
            forbidden_calls=self._str_list("forbidden_calls", default=[]),
            forbidden_constructs=self._constructs(),
            forbidden_ops=self._ops(),
            devices=self._devices(kind),
            files=files,
            harness=self._harness(kind),
            starter_expect=self._starter_expect(kind),
            scoring=self.get("scoring", str, "default"),
            raw=self.data,
        )
        self._check_graders(spec)
        return spec

    def _choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.get(name, str)
        if value not in choices:
            raise self.fail(name, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def _nonempty(self, name: str) -> str:
        value = self.get(name, str).strip()
        if not value:
            raise self.fail(name, "must not be empty")
        return value

    def _str_list(self, name: str, *, default: list[str], where: dict | None = None, prefix: str = "") -> list[str]:
        value = self.get(name, list, default, where=where, prefix=prefix)
        if not all(isinstance(v, str) for v in value):
            raise self.fail(prefix + name, "expected a list of strings")
        return list(value)

    def _constructs(self) -> list[str]:
        from graders.static_checks import CONSTRUCTS

        names = self._str_list("forbidden_constructs", default=[])
        for name in names:
            if name not in CONSTRUCTS:
                raise self.fail("forbidden_constructs", f"unknown construct {name!r}; known: {', '.join(CONSTRUCTS)}")
        return names

    def _ops(self) -> list[str]:
        """`forbidden_ops`: dispatcher op names, `namespace::op` or `namespace::op.overload`."""
        from graders.harness.shared.op_table import is_op_name

        names = self._str_list("forbidden_ops", default=[])
        for name in names:
            if not is_op_name(name):
                raise self.fail("forbidden_ops", f"{name!r} is not an op name such as 'aten::softmax' or 'aten::_softmax.out'")
        return names

    def _files(self, kind: str) -> dict[str, str]:
        files = dict(DEFAULT_FILES)
        table = self.get("files", dict, {})
        for key, value in table.items():
            if key not in DEFAULT_FILES:
                raise self.fail(f"files.{key}", f"unknown file key; known: {', '.join(DEFAULT_FILES)}")
            if not isinstance(value, str):
                raise self.fail(f"files.{key}", "expected a path relative to the package")
            files[key] = value
        for key in ("statement", "rubric"):
            if key in self.data:
                files[key] = self.get(key, str)
        for key, value in files.items():
            if value and not path_stays_inside(value):
                raise self.fail(f"files.{key}", f"{value!r} must stay inside the package")
        if not (self.root / files["statement"]).is_file():
            raise self.fail("statement", f"{files['statement']} does not exist")
        if kind == "written":
            if not files["rubric"] or not (self.root / files["rubric"]).is_file():
                raise self.fail("rubric", "a written challenge needs a rubric file that exists")
        return files

    def _entry(self, kind: str) -> tuple[str, str]:
        if kind in ("written", "quiz"):
            default = {"file": "answer.md", "callable": ""}
            entry = self.get("entry", dict, default)
        else:
            entry = self.get("entry", dict)
        entry_file = self.get("file", str, where=entry, prefix="entry.")
        if SUBMISSION_LIMITS.name_problem(entry_file):  # the candidate submits it: the one file-name rule
            raise self.fail("entry.file", "must be a plain file name")
        entry_callable = self.get("callable", str, "", where=entry, prefix="entry.")
        if kind not in ("written", "quiz") and not entry_callable.isidentifier():
            raise self.fail("entry.callable", f"{entry_callable!r} is not a Python identifier")
        return entry_file, entry_callable

    def _harness(self, kind: str) -> dict[str, str]:
        table = self.get("harness", dict, {})
        refs: dict[str, str] = {}
        for key, value in table.items():
            if not isinstance(value, str):
                raise self.fail(f"harness.{key}", "expected a string")
            if ":" in value:
                file_part, _, attr = value.partition(":")
                if not (self.root / file_part).is_file():
                    raise self.fail(f"harness.{key}", f"{file_part} does not exist")
                if not attr.isidentifier():
                    raise self.fail(f"harness.{key}", f"{attr!r} is not a Python identifier")
            refs[key] = value
        if kind in ("kernel", "pipeline"):
            for required in ("inputs", "expected"):
                if required not in refs:
                    raise self.fail(f"harness.{required}", "required for a kernel or pipeline challenge (file.py:function)")
        return refs

    def _devices(self, kind: str) -> dict[str, DeviceSpec]:
        table = self.get("devices", dict, {})
        for name in table:
            if name not in DEVICE_KINDS:
                raise self.fail(f"devices.{name}", f"unknown device kind; known: {', '.join(DEVICE_KINDS)}")
        if kind in ("kernel", "pipeline", "server") and "cpu" not in table and "cuda" not in table:
            raise self.fail("devices", "needs a [devices.cpu] or [devices.cuda] table")
        devices: dict[str, DeviceSpec] = {}
        for name, value in table.items():
            if name not in DEVICE_KINDS:
                raise self.fail(f"devices.{name}", f"unknown device kind; known: {', '.join(DEVICE_KINDS)}")
            if not isinstance(value, dict):
                raise self.fail(f"devices.{name}", "expected a table")
            classes = {k: v for k, v in value.items() if isinstance(v, dict) and k not in ("tolerance", "limits", "targets", "params")}
            own = {k: v for k, v in value.items() if k not in classes}
            devices[name] = self._device(name, own, partial=False)
            for cls, cls_table in classes.items():
                devices[f"{name}.{cls}"] = self._device(f"{name}.{cls}", cls_table, partial=True)
        return devices

    def _device(self, name: str, table: dict[str, Any], *, partial: bool) -> DeviceSpec:
        prefix = f"devices.{name}."
        known = {"shapes", "hidden_shapes", "tolerance", "limits", "targets", "reference_tier", "params"}
        for key in table:
            if key not in known:
                raise self.fail(prefix + key, f"unknown field; known: {', '.join(sorted(known))}")
        shapes = self._shapes("shapes", table, prefix)
        hidden = self._shapes("hidden_shapes", table, prefix)
        limits = self._numbers("limits", table, prefix, allowed=("wall_s", "call_s", "memory_mb", "output_kb", "pids"))
        targets = self._targets(table, prefix)
        tier = self.get("reference_tier", int, None, where=table, prefix=prefix)
        tiers_len = max((len(v) for v in targets.values()), default=0)
        if tier is not None and not 0 <= tier <= tiers_len:
            raise self.fail(prefix + "reference_tier", f"{tier} is outside 0..{tiers_len} (the number of target tiers)")
        return DeviceSpec(
            kind=name,
            shapes=shapes,
            hidden_shapes=hidden,
            tolerance=self._tolerance(table, prefix),
            limits=limits,
            targets=targets,
            reference_tier=tier,
            params=self.get("params", dict, {}, where=table, prefix=prefix),
        )

    def _shapes(self, name: str, table: dict, prefix: str) -> list[list[int]]:
        shapes = self.get(name, list, [], where=table, prefix=prefix)
        for i, shape in enumerate(shapes):
            if not isinstance(shape, list) or not shape or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
                raise self.fail(f"{prefix}{name}[{i}]", "expected a list of positive integers")
        return [list(s) for s in shapes]

    def _numbers(self, name: str, table: dict, prefix: str, *, allowed: tuple[str, ...]) -> dict[str, float]:
        values = self.get(name, dict, {}, where=table, prefix=prefix)
        for key, value in values.items():
            if key not in allowed:
                raise self.fail(f"{prefix}{name}.{key}", f"unknown limit; known: {', '.join(allowed)}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise self.fail(f"{prefix}{name}.{key}", "expected a positive number")
        return dict(values)

    def _targets(self, table: dict, prefix: str) -> dict[str, list[float]]:
        targets = self.get("targets", dict, {}, where=table, prefix=prefix)
        for metric, tiers in targets.items():
            where = f"{prefix}targets.{metric}"
            if not isinstance(tiers, list) or not tiers or not all(isinstance(t, (int, float)) and not isinstance(t, bool) and t > 0 for t in tiers):
                raise self.fail(where, "expected a non-empty list of positive numbers")
            ordered = sorted(tiers) if metric == "speedup" or not metric.endswith("_ms") else sorted(tiers, reverse=True)
            if list(tiers) != ordered:
                raise self.fail(where, "tiers must run from the first (easiest) to the last (hardest)")
        return {k: [float(t) for t in v] for k, v in targets.items()}

    def _tolerance(self, table: dict, prefix: str) -> Tolerance | None:
        tol = self.get("tolerance", dict, None, where=table, prefix=prefix)
        if tol is None:
            return None
        metric = tol.get("metric", "rel_l2")
        if metric not in METRICS:
            raise self.fail(prefix + "tolerance.metric", f"{metric!r} is not one of {', '.join(METRICS)}")
        per_dtype: dict[str, float] = {}
        for key, value in tol.items():
            if key == "metric":
                continue
            if key not in DTYPES:
                raise self.fail(f"{prefix}tolerance.{key}", f"unknown dtype; known: {', '.join(DTYPES)}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise self.fail(f"{prefix}tolerance.{key}", "expected a positive number")
            per_dtype[key] = float(value)
        if not per_dtype:
            raise self.fail(prefix + "tolerance", "name at least one dtype with its tolerance")
        return Tolerance(metric=metric, per_dtype=per_dtype)

    def _starter_expect(self, kind: str) -> str:
        default = verdicts.ACCEPTED if kind not in ("written", "quiz") else ""
        value = self.get("starter_expect", str, default)
        if value and value not in verdicts.ALL:
            raise self.fail("starter_expect", f"{value!r} is not a verdict; known: {', '.join(verdicts.ALL)}")
        return value

    def _check_graders(self, spec: ChallengeSpec) -> None:
        from graders.registry import grader_names

        known = grader_names()
        for name in spec.graders:
            if name not in known:
                raise self.fail("graders", f"unknown grader {name!r}; known: {', '.join(known)}")


def _default_graders(kind: str) -> list[str]:
    return {
        "kernel": ["static", "correctness", "latency"],
        "pipeline": ["static", "correctness", "latency"],
        "written": ["rubric"],
    }.get(kind, ["static", "correctness"])


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", list: "a list", dict: "a table", bool: "true or false"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)
