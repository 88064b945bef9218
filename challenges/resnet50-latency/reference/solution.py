"""Reference: everything on the device, BatchNorm folded away, and on a GPU one graph replay.

- BatchNorm in eval mode is an affine map per channel, so it folds into the preceding
  convolution's weights and a bias (`fuse_conv_bn_eval`): 53 fewer ops per image.
- The frame is resized where it already lives (on the GPU, on the GPU), and the
  softmax too: no host round trip, no pageable copy.
- On a GPU: float16, channels_last (tensor-core friendly NHWC convolutions), and the
  whole pipeline from the uint8 frame to the log-probabilities captured once per frame
  shape in a CUDA graph: ~280 kernel launches become one replay.
- On the CPU: the folded float32 model in channels_last, traced and frozen by
  TorchScript so conv+bias+ReLU run as fused oneDNN ops (about 5x the starter's model).
"""
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from model import MEAN, STD, Bottleneck, build_model

_PIPELINES: dict = {}


def predict(frame, resolution, width):
    key = (tuple(frame.shape), frame.device, resolution, width)
    pipeline = _PIPELINES.get(key)
    if pipeline is None:
        cls = _GraphPipeline if frame.is_cuda else _CpuPipeline
        pipeline = _PIPELINES[key] = cls(frame, resolution, width)
    return pipeline(frame)


def folded_model(width, resolution):
    model = build_model(width, resolution)
    model.conv1 = fuse_conv_bn_eval(model.conv1, model.bn1)
    model.bn1 = nn.Identity()
    for block in model.modules():
        if isinstance(block, Bottleneck):
            for conv, bn in (("conv1", "bn1"), ("conv2", "bn2"), ("conv3", "bn3")):
                setattr(block, conv, fuse_conv_bn_eval(getattr(block, conv), getattr(block, bn)))
                setattr(block, bn, nn.Identity())
            if block.downsample is not None:
                block.downsample = fuse_conv_bn_eval(block.downsample[0], block.downsample[1])
    return model.eval()


def _constants(device):
    # Made once, outside any graph capture: a host-to-device copy cannot be captured.
    return torch.tensor(MEAN, device=device)[:, None, None], torch.tensor(STD, device=device)[:, None, None]


def _preprocess(frame, resolution, dtype, mean, std):
    x = frame.permute(2, 0, 1).unsqueeze(0).to(torch.float32).div_(255.0)
    x = F.interpolate(x, size=(resolution, resolution), mode="bilinear", align_corners=False, antialias=True)
    return x.sub_(mean).div_(std).to(dtype)


class _CpuPipeline:
    def __init__(self, frame, resolution, width):
        self.resolution = resolution
        self.mean, self.std = _constants(frame.device)
        model = folded_model(width, resolution).to(memory_format=torch.channels_last)
        with torch.no_grad():
            example = self._input(frame)
            self.model = torch.jit.freeze(torch.jit.trace(model, example))
            for _ in range(2):  # the profiling executor specialises on the first runs
                self.model(example)

    def _input(self, frame):
        return _preprocess(frame, self.resolution, torch.float32, self.mean, self.std).contiguous(memory_format=torch.channels_last)

    def __call__(self, frame):
        with torch.no_grad():
            logits = self.model(self._input(frame))
            return torch.log_softmax(logits, dim=-1)[0]


class _GraphPipeline:
    """Static frame buffer -> resize -> fp16 channels_last model -> log-softmax, captured."""

    def __init__(self, frame, resolution, width):
        self.model = folded_model(width, resolution).to(device=frame.device, dtype=torch.float16, memory_format=torch.channels_last)
        self.resolution = resolution
        self.mean, self.std = _constants(frame.device)
        self.static_frame = frame.clone()
        stream = torch.cuda.Stream(frame.device)
        stream.wait_stream(torch.cuda.current_stream(frame.device))
        with torch.cuda.stream(stream), torch.no_grad():
            for _ in range(3):  # cuDNN picks its algorithms outside the capture
                self._forward()
        torch.cuda.current_stream(frame.device).wait_stream(stream)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph), torch.no_grad():
            self.static_out = self._forward()

    def _forward(self):
        x = _preprocess(self.static_frame, self.resolution, torch.float16, self.mean, self.std).contiguous(memory_format=torch.channels_last)
        logits = self.model(x)
        return torch.log_softmax(logits.float(), dim=-1)[0]

    def __call__(self, frame):
        self.static_frame.copy_(frame, non_blocking=True)
        self.graph.replay()
        return self.static_out.clone()
