"""ResNet-50 (He et al., 2016; torchvision's layout: bottleneck blocks [3, 4, 6, 3], stride on
the 3x3 conv), defined here because torchvision cannot be installed beside this torch build.

Weights are random but fixed: `build_model(width, resolution)` draws them from a seeded generator,
so every process builds the same network. Two choices make the random network behave
like a trained one: the last BatchNorm of each residual branch starts at 0.2 (the
residual stream then grows slowly instead of doubling every block), and the classifier
is scaled so that predictions are confident (top-1 log-probability well above the
rest), not near-uniform.

`width=64` is the standard ResNet-50 (25.6 M parameters); the CPU practice tier uses a
narrower one with the same depth. The classifier's scale depends on `resolution`. Do not change this file: the grader builds the same
model from its own copy, and different weights give different answers.
"""
import math

import torch
from torch import nn

SEED = 20261126
LAYERS = (3, 4, 6, 3)
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
LOGIT_STD = 6.0


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet50(nn.Module):
    def __init__(self, width=64, num_classes=1000):
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = self._make_layer(width, LAYERS[0])
        self.layer2 = self._make_layer(width * 2, LAYERS[1], stride=2)
        self.layer3 = self._make_layer(width * 4, LAYERS[2], stride=2)
        self.layer4 = self._make_layer(width * 8, LAYERS[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width * 8 * 4, num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * 4:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * 4, 1, stride=stride, bias=False), nn.BatchNorm2d(planes * 4))
        layers = [Bottleneck(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * 4
        layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


@torch.no_grad()
def build_model(width=64, resolution=224, num_classes=1000):
    """The fixed-weight network for `resolution`-pixel inputs, in eval mode, float32, on the CPU."""
    model = ResNet50(width, num_classes)
    generator = torch.Generator().manual_seed(SEED)
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            fan_out = module.out_channels * module.kernel_size[0] * module.kernel_size[1]
            module.weight.normal_(0.0, math.sqrt(2.0 / fan_out), generator=generator)
        elif isinstance(module, nn.BatchNorm2d):
            module.weight.fill_(1.0)
            module.bias.zero_()
        elif isinstance(module, nn.Linear):
            module.weight.normal_(0.0, 1.0 / math.sqrt(module.in_features), generator=generator)
            module.bias.zero_()
    for block in model.modules():
        if isinstance(block, Bottleneck):
            block.bn3.weight.fill_(0.2)
    _scale_classifier(model.eval(), resolution, generator)
    return model


def smooth_images(n, height, width, generator):
    """Random scenes in [0, 1]: low-frequency colour blobs plus a little sensor noise."""
    coarse = torch.rand(n, 3, 5, 7, generator=generator)
    image = nn.functional.interpolate(coarse, size=(height, width), mode="bicubic", align_corners=False)
    image = image + 0.06 * torch.randn(n, 3, height, width, generator=generator)
    return image.clamp_(0.0, 1.0)


def _scale_classifier(model, resolution, generator):
    """Scale the classifier so that, per image, logits have a standard deviation of LOGIT_STD."""
    probe = smooth_images(2, 2 * resolution, 2 * resolution, generator)
    probe = nn.functional.interpolate(probe, size=(resolution, resolution), mode="bilinear", align_corners=False, antialias=True)
    probe = (probe - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]
    logits = model(probe)
    model.fc.weight.mul_(LOGIT_STD / float(logits.std(dim=1).mean()))
