"""The data source: a host-side (CPU, pageable) uint8 dataset, and the batches a call reads.

Do not change this file's behaviour: the grader reads the same bytes from its own copy,
so a changed source gives wrong answers. `host_chunks` costs nothing: each chunk is a
view into one buffer built once per process.
"""
import torch

BUFFER_BYTES = 1 << 26  # 64 MiB of "decoded images"
_BUFFER: list = []


def host_buffer() -> torch.Tensor:
    if not _BUFFER:
        generator = torch.Generator().manual_seed(20261126)
        _BUFFER.append(torch.randint(0, 256, (BUFFER_BYTES,), generator=generator, dtype=torch.uint8))
    return _BUFFER[0]


def host_chunks(seed: int, n_chunks: int, rows: int, features: int) -> list[torch.Tensor]:
    """`n_chunks` uint8 tensors of shape [rows, features], on the CPU, for this seed."""
    size = rows * features
    if size > BUFFER_BYTES:
        raise ValueError(f"a chunk of {size} bytes does not fit the {BUFFER_BYTES}-byte source")
    base = host_buffer()
    chunks = []
    for i in range(n_chunks):
        offset = (seed * 2654435761 + i * 40503 * 64) % (BUFFER_BYTES - size + 1)
        chunks.append(base[offset:offset + size].view(rows, features))
    return chunks
