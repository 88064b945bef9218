"""Framed messages between supervisor and worker: a JSON header, then raw tensor bytes.

No pickle crosses the channel in either direction: the supervisor never unpickles
anything the candidate's process produced. Every size is checked against a cap before
memory is allocated for it.
"""
from __future__ import annotations

import json
import socket
import struct

import torch

HEADER_CAP = 1 << 20
_LEN = struct.Struct("!I")
DTYPES = {
    "float64": torch.float64,
    "float32": torch.float32,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "int64": torch.int64,
    "int32": torch.int32,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
_EMPTY = torch.empty  # bound at import, before any candidate code loads in a worker


class ChannelError(Exception):
    """The peer closed the channel, sent something malformed, or broke a cap."""


class ChannelClosed(ChannelError):
    pass


class Channel:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def send(self, header: dict, tensors: list[torch.Tensor] = ()) -> None:
        items = []
        for tensor in tensors:
            tensor = tensor.detach().to("cpu").contiguous()
            # The tensor's own bytes (a numpy view, no copy): sendall takes any buffer.
            blob = tensor.reshape(-1).view(torch.uint8).numpy() if tensor.numel() else b""
            items.append((tensor.dtype, list(tensor.shape), blob))
        self.send_raw(header, items)

    def send_raw(self, header: dict, items: list[tuple[torch.dtype, list[int], "bytes | numpy.ndarray"]]) -> None:
        """Send tensors already turned into (dtype, shape, bytes) by the caller."""
        metas, blobs = [], []
        for dtype, shape, blob in items:
            if dtype not in DTYPE_NAMES:
                raise ChannelError(f"dtype {dtype} cannot cross the channel")
            metas.append({"dtype": DTYPE_NAMES[dtype], "shape": list(shape), "nbytes": len(blob)})
            blobs.append(blob)
        raw = json.dumps({**header, "tensors": metas}).encode()
        if len(raw) > HEADER_CAP:
            raise ChannelError("header too large")
        self.sock.sendall(_LEN.pack(len(raw)) + raw)
        for blob in blobs:
            self.sock.sendall(blob)

    def recv(self, *, max_tensor_bytes: int, timeout: float | None = None) -> tuple[dict, list[torch.Tensor]]:
        self.sock.settimeout(timeout)
        (length,) = _LEN.unpack(self._exactly(_LEN.size))
        if length > HEADER_CAP:
            raise ChannelError(f"header of {length} bytes is over the cap")
        try:
            header = json.loads(bytes(self._exactly(length)))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ChannelError(f"malformed header: {exc}") from None
        if not isinstance(header, dict) or not isinstance(header.get("tensors", []), list):
            raise ChannelError("malformed header")
        metas = header.pop("tensors", [])
        total = 0
        tensors = []
        for meta in metas:
            dtype, shape, nbytes = _checked_meta(meta)
            total += nbytes
            if total > max_tensor_bytes:
                raise ChannelError(f"tensors of more than {max_tensor_bytes} bytes sent")
            # Into torch's own 64-byte-aligned memory, not a bytearray's (whose address, 16-byte
            # aligned, differs from call to call and process to process): a call's speed must not
            # depend on where the channel happened to put its inputs.
            flat = _EMPTY(nbytes, dtype=torch.uint8)
            if nbytes:
                self._fill(memoryview(flat.numpy()))
            tensors.append(flat.view(dtype).reshape(shape))
        return header, tensors

    def _exactly(self, n: int) -> bytearray:
        buf = bytearray(n)
        self._fill(memoryview(buf))
        return buf

    def _fill(self, view: memoryview) -> None:
        n = len(view)
        got = 0
        while got < n:
            try:
                k = self.sock.recv_into(view[got:], min(n - got, 1 << 22))
            except socket.timeout:
                raise TimeoutError("the peer did not answer in time") from None
            except OSError as exc:
                raise ChannelClosed(str(exc)) from None
            if k == 0:
                raise ChannelClosed("the peer closed the channel")
            got += k

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _checked_meta(meta: object) -> tuple[torch.dtype, list[int], int]:
    if not isinstance(meta, dict):
        raise ChannelError("malformed tensor description")
    dtype_name, shape, nbytes = meta.get("dtype"), meta.get("shape"), meta.get("nbytes")
    if dtype_name not in DTYPES:
        raise ChannelError(f"unknown dtype {dtype_name!r}")
    if not isinstance(shape, list) or len(shape) > 8 or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 2**31 for d in shape):
        raise ChannelError("malformed shape")
    dtype = DTYPES[dtype_name]
    numel = 1
    for d in shape:
        numel *= d
    itemsize = torch.empty((), dtype=dtype).element_size()
    if not isinstance(nbytes, int) or nbytes != numel * itemsize:
        raise ChannelError("tensor byte count does not match its shape")
    return dtype, shape, nbytes
