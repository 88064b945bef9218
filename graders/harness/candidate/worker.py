"""The worker process's main loop (`python -m graders.harness.candidate.worker`): runs in the
candidate's process, loads the candidate's module and calls its entry point on request.

Everything here runs in the candidate's process, so nothing here is trusted by the
supervisor: timings are cross-checked against the supervisor's wall clock, outputs are
compared by the supervisor with expected values the worker never sees, and the seed
never enters this process. What this module does guard is the *method*: timing
primitives are bound before candidate code loads, every timed call is closed by a
device-wide synchronize, and freed memory is poisoned so stale results cannot pass.
"""
from __future__ import annotations

import argparse
import gc
import os
import socket
import sys
import time
from pathlib import Path

import torch

from graders.harness.candidate.entry import cap_own_memory, describe_exception, load_entry, pin_to
from graders.harness.candidate.op_blocks import Tripwire
from graders.harness.candidate.plain_output import NotPlainOutput, check_plain, host_bytes
from graders.harness.candidate.profiling import profile_calls
from graders.harness.candidate.serving import serve_requests
from graders.harness.shared.channel import DTYPES, Channel, ChannelClosed
from graders.harness.shared.cipher import tensor_key, unseal, unseal_with_pad

# Bound before any candidate code exists in this process.
_perf_counter_ns = time.perf_counter_ns
# On the cpu device a call is timed by its thread's CPU time: on a shared host the time a call
# waits for a core says nothing about the code (the supervisor's outside clocks judge anyway).
_thread_time_ns = time.thread_time_ns
_cuda_sync = torch.cuda.synchronize
_CudaEvent = torch.cuda.Event
L2_FLUSH_BYTES = 256 << 20
TENSOR_CAP = 8 << 30


_collected_once = []


def collect_between_batches() -> None:
    """Collect what the last batches left. The first time in this process, freeze what survives
    (a template's freeze before the fork did not cover what this worker loaded after it), so
    later collections cost microseconds, not a 25-150 ms pass over some hundred thousand
    objects, most of a short case's time budget. Both workers do the same."""
    gc.collect()
    if not _collected_once:
        gc.freeze()
        _collected_once.append(True)


class Worker:
    def __init__(self, channel: Channel, *, code_dir: Path) -> None:
        self.channel = channel
        self.code_dir = code_dir
        self.fn = None
        self.device = torch.device("cpu")
        self.tripwire = Tripwire()
        self.staged: list[dict] = []
        self.outputs: list[torch.Tensor | None] = []
        self._flush_buffer: torch.Tensor | None = None
        self._graph: _CapturedCall | None = None
        self.mode = "eager"
        self.sealed: list[tuple[dict, list]] = []

    # -- loop ---------------------------------------------------------------------
    def serve(self) -> None:
        while True:
            try:
                header, tensors = self.channel.recv(max_tensor_bytes=TENSOR_CAP)
            except ChannelClosed:
                return
            op = header.get("op")
            if op == "exit":
                return
            handler = getattr(self, f"op_{op}", None)
            if handler is None:
                self.channel.send({"ok": False, "error": f"unknown op {op!r}"})
                continue
            handler(header, tensors)

    # -- ops -----------------------------------------------------------------------
    def op_load(self, header: dict, _tensors: list) -> None:
        """Block the forbidden kernels at the dispatcher (op_blocks.py), then import the candidate.

        Only the candidate's worker gets a `forbidden_calls` list (op names such as
        `aten::softmax` may ride in it, or in `forbidden_ops`); the baseline's gets none.
        """
        self.device = torch.device(header["device"])
        pin_to(header.get("cpus"))
        cap_own_memory(header.get("data_cap_mb"))
        self.tripwire.install_all([*header.get("forbidden_calls", []), *header.get("forbidden_ops", [])])
        try:
            self.fn = load_entry(self.code_dir / header["file"], header["callable"])
        except BaseException as exc:  # noqa: BLE001 - the candidate's import may raise anything
            self._send_failure(exc)
            return
        self.channel.send({"ok": True, "tripwire": self.tripwire.hits})

    def op_call(self, header: dict, tensors: list) -> None:
        kwargs = self._kwargs(header["kwargs"], tensors)
        self._poison(header.get("poison_bytes", 0))
        try:
            out = self.fn(**kwargs)
            self._sync()
            check_plain(out)
        except BaseException as exc:  # noqa: BLE001 - the candidate's call may raise anything
            self._send_failure(exc)
            return
        # The inputs as the call left them go back too: the supervisor compares them with its
        # own copy (a mutation never helps the candidate -- expected values come from that
        # copy -- but it is reported, and a kernel that writes its inputs is wrong).
        after = [v for v in kwargs.values() if isinstance(v, torch.Tensor)] if header.get("return_inputs") else []
        self._send_outputs([out], extra=after)

    def op_stage(self, header: dict, tensors: list) -> None:
        """Receive a batch of plain inputs and place them on the device (`run`, `profile`).

        The latency step does not use this: it stages sealed batches (`seal`, then `go` per call).
        """
        self.staged = [self._kwargs(spec, tensors) for spec in header["sets"]]
        self.outputs = []
        self.mode = "eager"
        self._sync()
        self.channel.send({"ok": True, "mode": self.mode, "tripwire": self.tripwire.hits})

    def op_prepare(self, header: dict, tensors: list) -> None:
        """Set the timing mode for the next sealed batches; capture a CUDA graph on one sample.

        Capture failing is not an error: the reply says ``mode = "eager"`` and the supervisor
        then times both sides eagerly.
        """
        sample = self._kwargs(header["kwargs"], tensors)
        self.mode = "eager"
        reply: dict = {"ok": True}
        if header.get("mode") == "graph" and self.device.type == "cuda":
            try:
                if self._graph is None or not self._graph.fits(sample):
                    self._graph = None
                    self._graph = _CapturedCall(self.fn, sample)
                self.mode = "graph"
            except BaseException as exc:  # noqa: BLE001 - uncapturable code is allowed, just timed eagerly
                self._graph = None
                reply["capture_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
                _reset_after_failed_capture()
        self._sync()
        self.channel.send({**reply, "mode": self.mode, "tripwire": self.tripwire.hits})

    def op_seal(self, header: dict, tensors: list) -> None:
        """Receive a batch of sealed inputs (unreadable until each call's key arrives)."""
        self.sealed = [(spec, [tensors[ref["tensor"]].to(self.device) for ref in _tensor_refs(spec)]) for spec in header["sets"]]
        self.outputs = []
        # No garbage collection pauses inside a timed batch (timeit does the same); `fetch` turns
        # it back on. A collection here, not in the middle of the batch.
        collect_between_batches()
        gc.disable()
        self._sync()
        self.channel.send({"ok": True, "mode": self.mode})

    def op_go(self, header: dict, pads: list) -> None:
        """One timed call: unseal its inputs with the key (or the pads) just received, time the call,
        and send its output in this very reply, so the supervisor's clocks span the whole of its making."""
        spec, sealed = self.sealed[int(header["index"])]
        try:
            kwargs = self._unsealed_kwargs(spec, sealed, header.get("key"), pads)
            graph = self._graph if self.mode == "graph" else None
            if graph is not None:
                graph.load(kwargs)  # into the static buffers, outside the timed region
            if header.get("flush_l2") and self.device.type == "cuda":
                self._flush_l2()
            self._poison(header.get("poison_bytes", 0))
            if graph is not None:
                out, elapsed = graph.timed_replay()
                check_plain(out)
            else:
                out, elapsed = self._timed_call(kwargs)
            device, dtype, shape, raw = host_bytes(out)
        except BaseException as exc:  # noqa: BLE001 - the candidate's call may raise anything
            self._send_failure(exc)
            return
        reply = {"ok": True, "t": elapsed, "mode": self.mode, "tripwire": self.tripwire.hits, "outputs": [{"type": "tensor", "device": device}]}
        self.channel.send_raw(reply, [(dtype, shape, raw)])
        self.outputs.append(out)  # kept as returned: `fetch` sends them again, so a reused buffer shows

    def op_unseal(self, header: dict, tensors: list) -> None:
        """Unseal one tensor and send it back: the supervisor's check that both sides agree on the keystream."""
        plain = unseal(tensors[0].to(self.device), int(header["key"]), dtype=DTYPES[header["dtype"]], shape=header["shape"])
        self.channel.send({"ok": True}, [plain])

    def _unsealed_kwargs(self, spec: dict, sealed: list, key: int | None, pads: list) -> dict:
        kwargs, position = {}, 0
        for name, value in spec.items():
            if isinstance(value, dict) and "tensor" in value:
                dtype, shape = DTYPES[value["dtype"]], value["shape"]
                if pads:
                    kwargs[name] = unseal_with_pad(sealed[position], pads[position], dtype=dtype, shape=shape)
                else:
                    kwargs[name] = unseal(sealed[position], tensor_key(int(key), position), dtype=dtype, shape=shape)
                position += 1
            else:
                kwargs[name] = value
        return kwargs

    def op_serve(self, header: dict, _tensors: list) -> None:
        """Build a server with the entry factory and serve the supervisor's load until it says end."""
        try:
            server = self.fn(**header.get("kwargs", {}))
            if not callable(getattr(server, "submit", None)):
                raise TypeError("the object make_server returned has no submit(request) method")
        except BaseException as exc:  # noqa: BLE001
            self._send_failure(exc)
            return
        self.channel.send({"ok": True, "tripwire": self.tripwire.hits})
        serve_requests(self.channel, server, to_kwargs=self._kwargs, drain_s=float(header.get("drain_s", 10.0)), tripwire=self.tripwire)

    def op_profile(self, header: dict, _tensors: list) -> None:
        """Run the staged calls under torch.profiler; send a summary and the trace back."""
        try:
            summary, trace = profile_calls(self.fn, self.staged, self.device, sync=self._sync, trace_cap=int(header.get("trace_cap", 8 << 20)))
        except BaseException as exc:  # noqa: BLE001
            self._send_failure(exc)
            return
        self.staged = []
        blob = torch.frombuffer(bytearray(trace), dtype=torch.uint8) if trace else torch.empty(0, dtype=torch.uint8)
        self.channel.send({"ok": True, "summary": summary, "tripwire": self.tripwire.hits}, [blob])

    def op_run(self, header: dict, _tensors: list) -> None:
        """Time each plainly staged call (eager); the supervisor's wall clock runs around this op."""
        flush = header.get("flush_l2", False) and self.device.type == "cuda"
        times_ns: list[int] = []
        try:
            for kwargs in self.staged:
                if flush:
                    self._flush_l2()
                self._poison(header.get("poison_bytes", 0))
                out, elapsed = self._timed_call(kwargs)
                self.outputs.append(out)
                times_ns.append(elapsed)
        except BaseException as exc:  # noqa: BLE001
            self._send_failure(exc)
            return
        self.channel.send({"ok": True, "times_ns": times_ns, "mode": "eager", "tripwire": self.tripwire.hits})

    def op_fetch(self, _header: dict, _tensors: list) -> None:
        gc.enable()
        self._send_outputs(self.outputs)
        self.outputs = []
        self.staged = []

    # -- helpers ---------------------------------------------------------------------
    def _timed_call(self, kwargs: dict):
        """The call and the check that it returned a plain tensor, between the in-process clocks."""
        fn = self.fn
        if self.device.type == "cuda":
            start, end = _CudaEvent(enable_timing=True), _CudaEvent(enable_timing=True)
            _cuda_sync()
            start.record()
            out = fn(**kwargs)
            _cuda_sync()  # work queued on any stream counts
            check_plain(out)
            end.record()
            end.synchronize()
            return out, int(start.elapsed_time(end) * 1e6)
        t0 = _thread_time_ns()
        out = fn(**kwargs)
        check_plain(out)
        return out, _thread_time_ns() - t0

    def _send_rejected(self, exc: NotPlainOutput) -> None:
        self.channel.send({"ok": False, "rejected": str(exc), "error_type": "NotPlainOutput", "error": str(exc), "tripwire": self.tripwire.hits})

    def _send_failure(self, exc: BaseException) -> None:
        """A call that did not give an answer: refused (not a plain tensor) or failed."""
        if isinstance(exc, NotPlainOutput):
            self._send_rejected(exc)
        else:
            self.channel.send({"ok": False, **describe_exception(exc, code_dir=self.code_dir), "tripwire": self.tripwire.hits})

    def _send_outputs(self, outs: list, extra: list | None = None) -> None:
        """Outputs (plain tensors only, else the reply says rejected) and, after them, `extra` tensors."""
        items, kinds = [], []
        try:
            for out in outs:
                check_plain(out)
                device, dtype, shape, raw = host_bytes(out)
                kinds.append({"type": "tensor", "device": device})
                items.append((dtype, shape, raw))
        except NotPlainOutput as exc:
            self._send_rejected(exc)
            return
        extra = list(extra or [])
        items += [host_bytes(t)[1:] for t in extra]
        self.channel.send_raw({"ok": True, "outputs": kinds, "inputs_after": len(extra), "tripwire": self.tripwire.hits}, items)

    def _kwargs(self, spec: dict, tensors: list) -> dict:
        kwargs = {}
        for name, value in spec.items():
            if isinstance(value, dict) and "tensor" in value:
                kwargs[name] = tensors[value["tensor"]].to(self.device)
            else:
                kwargs[name] = value
        return kwargs

    def _sync(self) -> None:
        if self.device.type == "cuda":
            _cuda_sync()

    def _poison(self, nbytes: int) -> None:
        """Fill memory the allocator is about to hand out with NaN, then free it."""
        if nbytes <= 0:
            return
        poison = torch.full((nbytes // 4 + 1,), float("nan"), dtype=torch.float32, device=self.device)
        del poison

    def _flush_l2(self) -> None:
        if self._flush_buffer is None:
            self._flush_buffer = torch.empty(L2_FLUSH_BYTES, dtype=torch.uint8, device=self.device)
        self._flush_buffer.zero_()
        _cuda_sync()


class _CapturedCall:
    """The entry point captured into a CUDA graph over static input buffers.

    Warm-up runs on a side stream first (as torch.cuda.graphs recommends), so lazy
    initialisation (cuBLAS handles, Triton compilation, autotuning) happens outside capture.
    """

    WARMUP = 3

    def __init__(self, fn, kwargs: dict) -> None:
        self.static = {k: (v.clone() if isinstance(v, torch.Tensor) else v) for k, v in kwargs.items()}
        self.signature = _signature(kwargs)
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(self.WARMUP):
                fn(**self.static)
        torch.cuda.current_stream().wait_stream(side)
        _cuda_sync()
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.out = fn(**self.static)
        _cuda_sync()
        if not isinstance(self.out, torch.Tensor):
            raise TypeError("the captured call did not return a Tensor")

    def fits(self, kwargs: dict) -> bool:
        return _signature(kwargs) == self.signature

    def load(self, kwargs: dict) -> None:
        for name, value in kwargs.items():
            if isinstance(value, torch.Tensor):
                self.static[name].copy_(value)

    def timed_replay(self):
        """Every captured stream joins the capture stream, so an event after replay closes it all."""
        start, end = _CudaEvent(enable_timing=True), _CudaEvent(enable_timing=True)
        _cuda_sync()
        start.record()
        self.graph.replay()
        end.record()
        _cuda_sync()
        return self.out.clone(), int(start.elapsed_time(end) * 1e6)


def _tensor_refs(spec: dict) -> list[dict]:
    return [v for v in spec.values() if isinstance(v, dict) and "tensor" in v]


def _signature(kwargs: dict) -> tuple:
    return tuple(sorted((k, (tuple(v.shape), v.dtype, v.device.type) if isinstance(v, torch.Tensor) else repr(v)) for k, v in kwargs.items()))


def _reset_after_failed_capture() -> None:
    """A failed capture can leave the stream in capture mode or an error pending; clear both."""
    try:
        _cuda_sync()
    except BaseException:  # noqa: BLE001
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m graders.harness.candidate.worker")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--code", type=Path, required=True)
    args = parser.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    Worker(Channel(sock), code_dir=args.code).serve()
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: candidate atexit hooks cannot change anything now


if __name__ == "__main__":
    main()
