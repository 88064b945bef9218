# expect: wrong_answer
# trick: patch the functions a reference or a checker would use, then return garbage
import torch
import torch.testing

torch.allclose = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
torch.equal = lambda *a, **k: True
torch.Tensor.__sub__ = lambda self, other: torch.zeros_like(self)
torch.linalg.vector_norm = lambda *a, **k: torch.tensor(0.0)
torch.isfinite = lambda t: torch.ones_like(t, dtype=torch.bool)


def softmax(x):
    return torch.zeros_like(x)
