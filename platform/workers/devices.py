"""Device classes (DESIGN "Devices"): `cpu`, or the GPU model in lower case (`h100`, `h200`).
A class names its Celery queue, `grade.<class>`; every class but `cpu` grades on `cuda`."""
from __future__ import annotations

import re

CPU = "cpu"
CUDA = "cuda"
DEVICE_KINDS = (CPU, CUDA)
QUEUE_PREFIX = "grade."
_CLASS_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")


class DeviceClassError(ValueError):
    """A device class name that cannot be one (the message says why)."""


def normalize_device_class(value: object) -> str:
    """The class name in its canonical form (stripped, lower case); DeviceClassError otherwise."""
    if not isinstance(value, str):
        raise DeviceClassError("A device class is a name such as cpu or h100.")
    name = value.strip().lower()
    if not _CLASS_PATTERN.match(name):
        shown = value if len(value) <= 40 and value.isprintable() else ascii(value[:40])
        raise DeviceClassError(f"{shown!r} is not a device class name (cpu, or a GPU model such as h100: "
                               "letters, digits, - and _, at most 20).")
    return name


def device_kind_of(device_class: str) -> str:
    """The kind a class grades on: `cpu` for the cpu class, `cuda` for every GPU model."""
    return CPU if device_class == CPU else CUDA


def queue_for(device_class: str) -> str:
    return f"{QUEUE_PREFIX}{device_class}"


def class_of_queue(queue: str) -> str | None:
    """`grade.h100` -> `h100`; None for a queue that is not a grading queue."""
    if not queue.startswith(QUEUE_PREFIX):
        return None
    try:
        return normalize_device_class(queue[len(QUEUE_PREFIX):])
    except DeviceClassError:
        return None
