# expect: rejected
# trick: self-inflicted platform error: import the harness's step registry in the worker and
# overwrite the `correctness` step with one that passes everything (and register a bogus step
# that raises), hoping the supervisor's registry breaks. The registry lives in the supervisor's
# process and library, which the worker can neither import nor read: rejected, naming it.
from graders.harness import steps  # noqa: E402 - the worker side has no such module
import torch

steps.STEPS["correctness"] = lambda session: None
steps.step("bogus")(lambda session: 1 / 0)


def softmax(x):
    return torch.full_like(x, 1.0 / x.shape[-1])
