# expect: not accepted
# trick: self-inflicted platform error: monkeypatch the harness modules in the worker's own
# process (Channel.recv, the channel's dtype table, sys.modules entries of the supervisor's
# modules) hoping to break the supervisor, then answer wrong. Only the worker's own copies change.
import sys
import types

import graders.harness.shared.channel as _channel
import torch

_channel.DTYPES.clear()
_channel.HEADER_CAP = 1
for name in ("graders.harness.supervisor", "graders.harness.worker_process", "graders.harness.outcome", "graders.harness.steps",
             "graders.harness.steps.correctness", "graders.harness.output_checks"):
    sys.modules[name] = types.ModuleType(name)


def softmax(x):
    return torch.full_like(x, 1.0 / x.shape[-1])
