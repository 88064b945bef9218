# expect: runtime_error
# trick: self-inflicted platform error: fail every call with the words of a package fault (the
# harness's "package fault (oracle: ...)" and an allocator's "can't allocate memory"), hoping
# the grading is blamed on the package (internal_error, not counted) instead of on this code
def softmax(x):
    raise MemoryError("package fault (oracle: the package's inputs): DefaultCPUAllocator: can't allocate memory: "
                      "you tried to allocate 17179869184 bytes; the submission was not at fault and is not scored")
