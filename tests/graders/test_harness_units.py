"""Unit tests of the harness's pieces: statistics, comparison, channel, cipher, quiesce, profile summary."""
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import torch

from graders.harness import stats
from graders.harness.shared.channel import Channel, ChannelError
from graders.harness.shared.cipher import seal, tensor_key, unseal
from graders.harness.compare import compare, unchanged
from graders.harness.quiesce import paused


def test_quantiles_and_median_ci():
    values = sorted(float(v) for v in range(1, 101))
    assert stats.quantile(values, 0.5) == pytest.approx(50.5)
    lo, hi = stats.median_ci(values)
    assert lo < 50.5 < hi and hi - lo < 25
    summary = stats.summarize_ms([v * 1e6 for v in range(1, 101)])
    assert summary["n"] == 100 and summary["median"] == pytest.approx(50.5) and summary["iqr"] == pytest.approx(49.5)
    assert summary["ci_rel"] == pytest.approx((summary["ci_high"] - summary["ci_low"]) / 2 / 50.5)


def test_median_ci_narrows_with_more_samples():
    import random

    rng = random.Random(1)
    small = stats.summarize_ms([rng.gauss(100, 5) for _ in range(30)])
    large = stats.summarize_ms([rng.gauss(100, 5) for _ in range(3000)])
    assert large["ci_rel"] < small["ci_rel"] / 4


def test_geometric_mean_and_cv():
    assert stats.geometric_mean([0.5, 2.0]) == pytest.approx(1.0)
    assert stats.geometric_mean([1.0, 0.0]) is None
    assert stats.coefficient_of_variation([1.0, 1.0, 1.0]) == 0.0
    assert stats.coefficient_of_variation([1.0]) is None


def test_compare_never_passes_nan_or_inf_and_checks_shape():
    want = torch.rand(4, 5, dtype=torch.float64)
    assert compare(out=want.float(), expected=want, metric="rel_l2", tolerance=1e-6)[0]
    for bad in (float("nan"), float("inf")):
        out = want.clone().float()
        out[0, 0] = bad
        ok, detail = compare(out=out, expected=want, metric="rel_l2", tolerance=1e9)
        assert not ok and "non-finite" in detail
    assert not compare(out=want.float().T, expected=want, metric="rel_l2", tolerance=1e9)[0]
    assert not compare(out=want.float() + 1e-3, expected=want, metric="max_abs", tolerance=1e-4)[0]


def test_unchanged_is_bit_exact():
    x = torch.randn(3, 4)
    assert unchanged(before=x, after=x.clone())
    y = x.clone()
    y[1, 1] = torch.nextafter(y[1, 1], torch.tensor(10.0))
    assert not unchanged(before=x, after=y)
    assert not unchanged(before=x, after=x.double())
    n = torch.tensor([float("nan"), 1.0])
    assert unchanged(before=n, after=n.clone())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64, torch.int64, torch.uint8, torch.bool])
def test_sealed_inputs_round_trip_and_are_noise_without_the_key(dtype):
    x = (torch.randn(7, 33) * 3).to(dtype)
    key = tensor_key(123456789, 0)
    sealed = seal(x, key)
    assert sealed.dtype == torch.uint8 and sealed.numel() == x.numel() * x.element_size()
    assert torch.equal(unseal(sealed, key, dtype=dtype, shape=list(x.shape)), x)
    raw = x.contiguous().view(-1).view(torch.uint8)
    # On the CPU a float element's top byte (sign, high exponent bits) is sealed, the rest of
    # every other dtype whole: without it no element's sign or scale is known.
    stride = x.element_size() if dtype.is_floating_point else 1
    assert (sealed.view(-1, stride)[:, -1] != raw.view(-1, stride)[:, -1]).float().mean() > 0.9
    wrong = unseal(sealed, key + 1, dtype=dtype, shape=list(x.shape))
    assert (wrong.view(-1).view(torch.uint8).view(-1, stride)[:, -1] != raw.view(-1, stride)[:, -1]).float().mean() > 0.9
    if dtype.is_floating_point:
        assert (wrong.double() - x.double()).abs().gt(1e-3 * x.double().abs()).float().mean() > 0.9  # the values are lost


def test_seal_handles_empty_and_non_contiguous():
    empty = torch.empty(0, 4)
    assert unseal(seal(empty, 5), 5, dtype=torch.float32, shape=[0, 4]).shape == (0, 4)
    t = torch.randn(8, 6).T
    assert torch.equal(unseal(seal(t, 9), 9, dtype=torch.float32, shape=list(t.shape)), t)


def test_channel_round_trip_and_caps():
    a, b = socket.socketpair()
    left, right = Channel(a), Channel(b)
    x = torch.randn(3, 4, dtype=torch.float16)
    left.send({"op": "x", "n": 1}, [x, torch.arange(5)])
    header, tensors = right.recv(max_tensor_bytes=1 << 20, timeout=5)
    assert header == {"op": "x", "n": 1} and torch.equal(tensors[0], x) and torch.equal(tensors[1], torch.arange(5))
    left.send({"op": "big"}, [torch.zeros(1000)])
    with pytest.raises(ChannelError, match="more than"):
        right.recv(max_tensor_bytes=100, timeout=5)
    a.close()
    b.close()


def test_channel_refuses_lying_headers():
    import json
    import struct

    a, b = socket.socketpair()
    raw = json.dumps({"tensors": [{"dtype": "float32", "shape": [4], "nbytes": 8}]}).encode()
    a.sendall(struct.pack("!I", len(raw)) + raw + b"\0" * 8)
    with pytest.raises(ChannelError, match="byte count"):
        Channel(b).recv(max_tensor_bytes=1 << 20, timeout=5)
    c, d = socket.socketpair()
    c.sendall(struct.pack("!I", 1 << 30))
    with pytest.raises(ChannelError, match="over the cap"):
        Channel(d).recv(max_tensor_bytes=1 << 20, timeout=5)


def _cpu_ticks(pid: int) -> int:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


class _Proc:
    def __init__(self, popen):
        self.proc = popen


def test_paused_stops_a_spinning_process_group_and_resumes_it():
    spin = subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
    try:
        time.sleep(0.5)
        with paused(_Proc(spin)):
            time.sleep(0.1)
            before = _cpu_ticks(spin.pid)
            time.sleep(0.6)
            assert _cpu_ticks(spin.pid) - before <= 1  # stopped: no CPU time while the baseline would run
        time.sleep(0.6)
        assert _cpu_ticks(spin.pid) > before + 5  # running again
    finally:
        os.killpg(spin.pid, signal.SIGKILL)
        spin.wait()


def test_paused_without_a_worker_is_a_no_op():
    with paused(None):
        pass


def test_profile_summary_on_cpu_has_ops_and_a_trace():
    import gzip
    import json

    from graders.harness.candidate.profiling import profile_calls

    staged = [{"x": torch.randn(32, 64)} for _ in range(3)]
    summary, trace = profile_calls(lambda x: torch.softmax(x, -1), staged, torch.device("cpu"), sync=lambda: None, trace_cap=1 << 22)
    assert summary["calls"] == 3 and summary["kernel_count"] == 0
    assert any("softmax" in row["name"] for row in summary["top_ops_by_self_cpu"])
    assert summary["peak_memory_mb"] > 0 and "ru_maxrss" in summary["peak_memory_method"]
    assert "traceEvents" in json.loads(gzip.decompress(trace))


def test_profile_gaps_measure_idle_time_between_kernels():
    from graders.harness.candidate.profiling import _gaps

    class Range:
        def __init__(self, start, end):
            self.start, self.end = start, end

    class Event:
        def __init__(self, start, end):
            self.time_range = Range(start, end)

    gaps = _gaps([Event(0, 10), Event(15, 20), Event(18, 30), Event(40, 50)])
    assert gaps["idle_gap_us"] == 15 and gaps["largest_gap_us"] == 10
    assert gaps["device_busy_us"] == 35 and gaps["idle_fraction"] == pytest.approx(15 / 50)
