"""Reference: move uint8, never wait, fold the normalisation into the weights.

- The normalisation is affine, so it folds into the matmul once per call:
  `((x/255 - mean)/std) @ W == x @ (W / (255 std)[:, None]) + (-(mean/std) @ W)`.
  A chunk is then one conversion and one `addmm`, on any device.
- On a GPU, chunks travel as uint8 (a quarter of the float32 bytes) from pinned memory:
  the source buffer is page-locked once per process with `cudaHostRegister`, so each
  chunk is a `non_blocking` copy on a side stream, and the compute of chunk i waits only
  for its own copy, so it overlaps the copies of the chunks after it. Results are written into one device tensor; the
  host never waits inside the loop.
"""
import torch

from source import host_buffer, host_chunks

_REGISTERED: list = []
_STREAMS: dict = {}


def _fold(weight, mean, std):
    scaled = weight / (255.0 * std)[:, None]
    shift = -(mean / std) @ weight
    return scaled, shift


def run(weight, mean, std, seed, n_chunks, rows):
    scaled, shift = _fold(weight, mean, std)
    chunks = host_chunks(seed, n_chunks, rows, weight.shape[0])
    out = torch.empty(n_chunks * rows, weight.shape[1], dtype=weight.dtype, device=weight.device)
    if not weight.is_cuda:
        for i, chunk in enumerate(chunks):
            torch.addmm(shift, chunk.to(weight.dtype), scaled, out=out[i * rows:(i + 1) * rows])
        return out
    _pin_source()
    copy_stream = _STREAMS.setdefault(weight.device, torch.cuda.Stream(weight.device))
    compute = torch.cuda.current_stream(weight.device)
    copy_stream.wait_stream(compute)  # whatever made the inputs has finished
    staged = []
    for chunk in chunks:  # queue every copy at once: the copy engine runs ahead of compute
        with torch.cuda.stream(copy_stream):
            dev_chunk = chunk.to(weight.device, non_blocking=True)
            ready = torch.cuda.Event()
            ready.record()
        staged.append((dev_chunk, ready))
    for i, (dev_chunk, ready) in enumerate(staged):
        compute.wait_event(ready)  # chunk i's compute overlaps the copies of i+1, i+2, ...
        dev_chunk.record_stream(compute)
        torch.addmm(shift, dev_chunk.to(weight.dtype), scaled, out=out[i * rows:(i + 1) * rows])
    return out


def _pin_source():
    """Page-lock the whole source buffer once, so chunk views are pinned and copies async."""
    if _REGISTERED:
        return
    buffer = host_buffer()
    if not buffer.is_pinned():
        err = torch.cuda.cudart().cudaHostRegister(buffer.data_ptr(), buffer.numel() * buffer.element_size(), 0)
        if int(err) != 0:
            raise RuntimeError(f"cudaHostRegister failed with error {int(err)}")
    _REGISTERED.append(buffer)
