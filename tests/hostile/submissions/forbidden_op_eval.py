# expect: rejected
# trick: eval/exec of a string that names the forbidden function (encoded so the static check reads no name)
import base64

import torch

_SOURCE = base64.b64decode(b"ZGVmIF9rZXJuZWwoeCk6CiAgICByZXR1cm4gdG9yY2gubm4uZnVuY3Rpb25hbC5zb2Z0bWF4KHgsIGRpbT0tMSkK").decode()
_SCOPE = {"torch": torch}
exec(_SOURCE, _SCOPE)  # defines _kernel(x): torch.nn.functional.<forbidden>(x, dim=-1)


def softmax(x):
    return eval("_kernel", _SCOPE)(x)
