# expect: rejected
# trick: importlib.import_module + operator.attrgetter of a dotted path assembled at run time (torch.special's variant)
import importlib
import operator

_MODULE = importlib.import_module("tor" + "ch")
_FN = operator.attrgetter(".".join(["special", "soft" + "max"]))(_MODULE)


def softmax(x):
    return _FN(x, -1)
