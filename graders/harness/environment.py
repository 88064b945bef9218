"""An environment fingerprint, so a timing is never reported without its conditions."""
from __future__ import annotations

import platform
import shutil
import subprocess
from importlib import metadata

import torch


def fingerprint(device: torch.device) -> dict:
    env = {
        "device": _device_name(device),
        "device_kind": device.type,
        "torch": torch.__version__,
        "triton": _version("triton"),
        "python": platform.python_version(),
        "cpu": _cpu_model(),
        "threads": torch.get_num_threads(),
    }
    if device.type == "cuda":
        env["cuda"] = torch.version.cuda
        env.update(_nvidia_smi(device.index or 0))
    return env


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return _cpu_model() or "cpu"


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _nvidia_smi(index: int) -> dict:
    """SM clock, temperature, driver, where nvidia-smi answers; says so where it does not."""
    if not shutil.which("nvidia-smi"):
        return {"nvidia_smi": "not found"}
    fields = "driver_version,clocks.sm,clocks.max.sm,temperature.gpu,power.draw"
    try:
        out = subprocess.run(
            ["nvidia-smi", f"--query-gpu={fields}", "--format=csv,noheader,nounits", "-i", str(index)],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
    except (subprocess.SubprocessError, OSError) as exc:
        return {"nvidia_smi": f"failed: {exc}"}
    values = [v.strip() for v in out.split(",")]
    return dict(zip(["driver", "sm_clock_mhz", "sm_clock_max_mhz", "temperature_c", "power_w"], values))
