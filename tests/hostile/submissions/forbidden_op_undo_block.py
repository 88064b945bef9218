# expect: rejected
# trick: tries to undo the dispatcher block before calling the forbidden kernel: resets every torch.library Library and dispatch module found through gc and sys.modules, then re-registers its own impl over the block (names built at run time)
import gc
import sys

import torch

_OP = "_" + "soft" + "max"
_UNDO = "_" + "de" + "stroy"


def _undo():
    lib_mod = sys.modules.get("torch." + "library")
    for obj in gc.get_objects():
        try:
            if lib_mod is not None and isinstance(obj, lib_mod.Library):
                getattr(obj, _UNDO)()
            elif type(obj).__name__.endswith("DispatchModule"):
                obj.reset()
        except Exception:  # noqa: BLE001
            pass
    for keep in getattr(lib_mod, "_keep_alive", []):
        try:
            getattr(keep, _UNDO)()
        except Exception:  # noqa: BLE001
            pass
    # A new kernel on top only hides the block; the library's own never comes back.
    lib = getattr(lib_mod, "Lib" + "rary")("aten", "IMPL")
    original = torch._C._dispatch_get_computed_kernel_for_dispatch_key("aten::" + _OP, torch._C.DispatchKey.CPU)
    lib.impl(_OP, lambda x, dim, half: original.call_boxed(torch._C.DispatchKeySet("CPU"), x, dim, half), "CPU")
    lib.impl(_OP, lambda x, dim, half: original.call_boxed(torch._C.DispatchKeySet("CPU"), x, dim, half), "Autograd")
    globals()["_lib"] = lib


_undo()


def softmax(x):
    return getattr(torch.ops.aten, _OP).default(x, -1, False)
