"""The gapnet architecture (src/model/gapnet.ts) in PyTorch, for parity and checkpoint checks."""
import torch
import torch.nn as nn


def cbr(cin, cout, k=3, pad=0):
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=pad, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class GapNet(nn.Module):
    def __init__(self, c1=10, c2=16, c3=10, c4=16):
        super().__init__()
        self.features = nn.Sequential(
            cbr(1, c1), cbr(c1, c2), nn.MaxPool2d(2), cbr(c2, c3, 1), cbr(c3, c4), cbr(c4, c4), cbr(c4, c4),
            nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Conv2d(c4, 10, 1)

    def forward(self, x):
        return torch.flatten(self.head(self.features(x)), 1)
