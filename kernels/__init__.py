"""Reference kernels for Hotpath challenges.

Importing this package does nothing else: each kernel module imports Triton or
compiles CUDA code only when it is itself imported or first called. Use
``kernels.triton_attention.attention`` or ``kernels.cuda_attention.attention``.
"""
