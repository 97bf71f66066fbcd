"""The original project's Classifier, layer for layer (DESIGN.md section 2), for checkpoint checks."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    def __init__(self, cin, cout, exp, stride):
        super().__init__()
        self.ExpansionLayer = nn.Conv2d(cin, cin * exp, 1)
        self.BN1 = nn.BatchNorm2d(cin * exp)
        self.Depthwise = nn.Conv2d(cin * exp, cin * exp, 3, stride, padding=1)
        self.Projection = nn.Conv2d(cin * exp, cout, 1)
        self.skip = cin == cout and stride == 1

    def forward(self, x):
        y = F.relu6(self.ExpansionLayer(x))
        y = self.BN1(y)
        y = F.relu6(self.Depthwise(y))
        y = self.Projection(y)
        return y + x if self.skip else y


class Classifier(nn.Module):
    def __init__(self, f1, f2):
        super().__init__()
        self.CL1 = nn.Conv2d(1, f1, 3, stride=2, padding=0)
        self.bneck1 = Bottleneck(f1, f2, 1, 1)
        self.bneck2 = Bottleneck(f2, f2, 2, 1)
        self.bneck3 = Bottleneck(f2, 8, 2, 2)
        self.block1 = nn.Sequential(Bottleneck(8, 8, 2, 2), Bottleneck(8, 8, 2, 2))
        self.bneck4 = Bottleneck(8, 12, 1, 2)
        self.fc = nn.Linear(12, 10)

    def forward(self, x):
        x = F.relu6(self.CL1(x))
        x = self.bneck1(x)
        x = self.bneck2(x)
        x = self.bneck3(x)
        x = self.block1(x)
        x = self.bneck4(x)
        return self.fc(torch.flatten(x, 1))
