"""Per-GPU health from NVML (nvidia-ml-py), in the units and names of DCGM's exporter.

`read_gpu(index)` returns None where there is no NVML, no driver or no such GPU: a worker
without a GPU reports no GPU series and no error."""
from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)

# DCGM exporter field -> (what it is, unit); the metrics endpoint exposes these names.
FIELDS = {
    "DCGM_FI_DEV_GPU_UTIL": "GPU utilisation (in %).",
    "DCGM_FI_DEV_MEM_COPY_UTIL": "Memory utilisation (in %).",
    "DCGM_FI_DEV_FB_USED": "Framebuffer memory used (in MiB).",
    "DCGM_FI_DEV_FB_FREE": "Framebuffer memory free (in MiB).",
    "DCGM_FI_DEV_GPU_TEMP": "GPU temperature (in C).",
    "DCGM_FI_DEV_SM_CLOCK": "SM clock frequency (in MHz).",
    "DCGM_FI_DEV_MEM_CLOCK": "Memory clock frequency (in MHz).",
    "DCGM_FI_DEV_POWER_USAGE": "Power draw (in W).",
}

_lock = threading.Lock()
_state = {"initialised": False, "unavailable": False}


def _nvml():
    """The initialised pynvml module, or None (logged once) where NVML cannot start."""
    with _lock:
        if _state["unavailable"]:
            return None
        try:
            import pynvml

            if not _state["initialised"]:
                pynvml.nvmlInit()
                _state["initialised"] = True
            return pynvml
        except Exception as exc:  # noqa: BLE001 - no package, no driver, no GPU: all mean "no GPU series"
            _state["unavailable"] = True
            logger.info("NVML unavailable (%s): this worker reports no GPU health", type(exc).__name__)
            return None


def read_gpu(index: int) -> dict | None:
    """`{"gpu", "uuid", "model", "fields": {DCGM name: value}}` for GPU `index`, or None."""
    nvml = _nvml()
    if nvml is None:
        return None
    try:
        handle = nvml.nvmlDeviceGetHandleByIndex(index)
        return {"gpu": index, "uuid": _text(nvml.nvmlDeviceGetUUID(handle)), "model": _text(nvml.nvmlDeviceGetName(handle)),
                "fields": _fields(nvml, handle)}
    except Exception as exc:  # noqa: BLE001 - a GPU that fell off the bus reads as absent, the worker carries on
        logger.warning("NVML could not read GPU %s: %s", index, exc)
        return None


def _fields(nvml, handle) -> dict[str, float]:
    util = nvml.nvmlDeviceGetUtilizationRates(handle)
    memory = nvml.nvmlDeviceGetMemoryInfo(handle)
    values = {
        "DCGM_FI_DEV_GPU_UTIL": util.gpu,
        "DCGM_FI_DEV_MEM_COPY_UTIL": util.memory,
        "DCGM_FI_DEV_FB_USED": memory.used / (1 << 20),
        "DCGM_FI_DEV_FB_FREE": memory.free / (1 << 20),
        "DCGM_FI_DEV_GPU_TEMP": nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU),
        "DCGM_FI_DEV_SM_CLOCK": nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_SM),
        "DCGM_FI_DEV_MEM_CLOCK": nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_MEM),
    }
    try:
        values["DCGM_FI_DEV_POWER_USAGE"] = nvml.nvmlDeviceGetPowerUsage(handle) / 1000.0
    except Exception:  # noqa: BLE001 - some boards do not report power; the rest still count
        pass
    return {name: float(value) for name, value in values.items()}


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
