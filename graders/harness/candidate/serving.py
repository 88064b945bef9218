"""The worker's side of the throughput grader: feed the candidate's server, return its answers.

Runs in the candidate's process (untrusted, like worker.py): the supervisor times every
request itself and checks every response, so nothing here is believed. What it guards is
the method: one thread reads requests off the socket and queues them, one calls
``server.submit`` in arrival order, and one sends responses back as they complete, so a
``submit`` that blocks never stops the worker from draining the socket (and the supervisor
from sending: no deadlock on full socket buffers).
"""
from __future__ import annotations

import queue
import threading
import time
import traceback

import torch

from graders.harness.shared.channel import Channel, ChannelClosed

TENSOR_CAP = 1 << 30
_STOP = object()


class _Pending:
    """Counts requests handed to the server and answers sent back."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.submitted = 0
        self.answered = 0

    def add(self) -> None:
        with self.cond:
            self.submitted += 1

    def done(self) -> None:
        with self.cond:
            self.answered += 1
            self.cond.notify_all()

    def wait_drained(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.answered < self.submitted:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return self.submitted - self.answered


def serve_requests(channel: Channel, server, *, to_kwargs, drain_s: float, tripwire) -> None:
    """Serve `req` frames until an `end` frame; then drain, close the server, say `ended`."""
    inbox: queue.Queue = queue.Queue()
    outbox: queue.Queue = queue.Queue()
    pending = _Pending()
    dispatcher = threading.Thread(target=_dispatch, args=(server, inbox, outbox, pending), name="hotpath-dispatch", daemon=True)
    sender = threading.Thread(target=_send_loop, args=(channel, outbox, pending), name="hotpath-send", daemon=True)
    dispatcher.start()
    sender.start()
    while True:
        try:
            header, tensors = channel.recv(max_tensor_bytes=TENSOR_CAP)
        except ChannelClosed:
            inbox.put(_STOP)
            return
        if header.get("op") == "req":
            inbox.put((header["id"], to_kwargs(header["kwargs"], tensors)))
        elif header.get("op") == "end":
            break
    inbox.put(_STOP)
    dispatcher.join(drain_s)
    left = pending.wait_drained(drain_s)
    close_error = _close(server)
    outbox.put(({"op": "ended", "unanswered": left, "close_error": close_error, "tripwire": tripwire.hits}, []))
    outbox.put(_STOP)
    sender.join(drain_s)


def _dispatch(server, inbox: queue.Queue, outbox: queue.Queue, pending: _Pending) -> None:
    while (item := inbox.get()) is not _STOP:
        request_id, kwargs = item
        pending.add()
        try:
            answer = server.submit(kwargs)
        except BaseException as exc:  # noqa: BLE001 - the candidate's submit may raise anything
            outbox.put(_failure(request_id, exc))
            continue
        if callable(getattr(answer, "add_done_callback", None)):
            answer.add_done_callback(lambda fut, rid=request_id: outbox.put(_resolve(rid, fut)))
        else:
            outbox.put(_response(request_id, answer))


def _resolve(request_id: int, future):
    try:
        return _response(request_id, future.result())
    except BaseException as exc:  # noqa: BLE001
        return _failure(request_id, exc)


def _response(request_id: int, value):
    if not isinstance(value, torch.Tensor):
        return ({"op": "resp", "id": request_id, "ok": False, "error_type": "TypeError", "error": f"the response is {type(value).__name__}, not a Tensor"}, [])
    return ({"op": "resp", "id": request_id, "ok": True, "device": value.device.type}, [value.detach()])


def _failure(request_id: int, exc: BaseException):
    text = "".join(traceback.format_exception(exc))[-2000:]
    return ({"op": "resp", "id": request_id, "ok": False, "error_type": type(exc).__name__, "error": str(exc)[:500], "traceback": text}, [])


def _send_loop(channel: Channel, outbox: queue.Queue, pending: _Pending) -> None:
    while (item := outbox.get()) is not _STOP:
        header, tensors = item
        try:
            channel.send(header, tensors)
        except Exception:  # noqa: BLE001 - the supervisor went away, or a tensor cannot cross
            if header.get("op") == "resp":
                try:
                    channel.send({"op": "resp", "id": header["id"], "ok": False, "error_type": "ChannelError", "error": "the response could not be sent"})
                except Exception:  # noqa: BLE001
                    return
        if header.get("op") == "resp":
            pending.done()


def _close(server) -> str | None:
    close = getattr(server, "close", None)
    if not callable(close):
        return None
    try:
        close()
    except BaseException as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"[:300]
    return None
