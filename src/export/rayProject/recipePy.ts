/**
 * recipe.py of the generated project: the studio's training recipe (src/train/recipe.ts) in
 * PyTorch, its one Python mirror. The optimizer and schedules are PyTorch's own classes; the
 * augmentation ports the studio's generator (xoshiro128** through splitmix32, src/train/rng.ts)
 * and its warp, so the same seed gives the same images byte for byte. src/train/recipe.test.ts
 * runs this file against the studio.
 */
import { LR_SCHEDULES, OPTIMIZERS } from '../../train/recipe';
import { DEFAULT_TRIAL_CONFIG, RECIPE_KEYS, paramValue } from '../../tune/space';

/** The recipe keys' defaults as a Python dict literal, from the schema. */
const defaults = RECIPE_KEYS.map((key) => `"${key}": ${JSON.stringify(paramValue(key, DEFAULT_TRIAL_CONFIG[key]))}`).join(', ');

/** The Python source of recipe.py. */
export const RECIPE_PY = `"""The studio's training recipe in PyTorch: optimizer, lr schedule, label smoothing, augmentation.

Every default is the original project's recipe (Adam, constant lr, plain cross-entropy, the
images as they are). Schedules step once per optimizer step; OneCycleLR runs with
cycle_momentum=False (the studio keeps Adam's betas fixed). Augmentation uses the studio's own
generator, so a seed gives the same images in the studio and here.
"""
import math

import numpy as np
import torch

OPTIMIZERS = ${JSON.stringify(OPTIMIZERS)}
LR_SCHEDULES = ${JSON.stringify(LR_SCHEDULES)}
DEFAULTS = {${defaults}}
_NAMES = {"optimizer": OPTIMIZERS, "lr_schedule": LR_SCHEDULES}
_MASK = 0xFFFFFFFF
_SIDE = 28
_CENTRE = (_SIDE - 1) / 2


def recipe_value(config, key):
    """A recipe key's value in config (its default when absent); categorical keys by name."""
    value = config.get(key, DEFAULTS[key])
    names = _NAMES.get(key)
    if names is not None and not isinstance(value, str):
        value = names[int(value)]
    if names is not None and value not in names:
        raise ValueError(f"{key} must be one of {', '.join(names)}, got {value!r}")
    return value


def make_optimizer(params, config):
    """torch.optim.Adam (weight decay added to the gradient) or torch.optim.AdamW (decoupled)."""
    cls = torch.optim.AdamW if recipe_value(config, "optimizer") == "adamw" else torch.optim.Adam
    return cls(params, lr=float(config["lr"]), betas=(float(config["beta1"]), float(config["beta2"])),
               weight_decay=float(recipe_value(config, "weight_decay")))


def make_scheduler(optimizer, config, total_steps):
    """The lr schedule, stepped after every optimizer step; None for a constant lr.

    It starts from config["lr"] whatever lr a loaded optimizer state holds (PyTorch saves the
    scheduled lr); a resumed trial replays scheduler.step() up to its optimizer step.
    """
    for group in optimizer.param_groups:
        group["lr"] = float(config["lr"])
        group.pop("initial_lr", None)
    name = recipe_value(config, "lr_schedule")
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    if name == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=float(config["lr"]), total_steps=total_steps,
                                                   pct_start=float(recipe_value(config, "pct_start")),
                                                   cycle_momentum=False)
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=int(recipe_value(config, "step_size")),
                                               gamma=float(recipe_value(config, "gamma")))
    return None


def make_criterion(config):
    """The training loss: CrossEntropyLoss with the recipe's label smoothing (validation uses plain cross-entropy)."""
    return torch.nn.CrossEntropyLoss(label_smoothing=float(recipe_value(config, "label_smoothing")))


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & _MASK


class Rng:
    """The studio's generator (src/train/rng.ts): xoshiro128** seeded through splitmix32."""

    def __init__(self, seed):
        x = seed & _MASK
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B9) & _MASK
            z = x
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & _MASK
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & _MASK
            self.s.append((z ^ (z >> 16)) & _MASK)

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & _MASK, 7) * 9) & _MASK
        t = (s1 << 9) & _MASK
        n2, n3 = s2 ^ s0, s3 ^ s1
        self.s = [s0 ^ n3, s1 ^ n2, n2 ^ t, _rotl(n3, 11)]
        return result

    def uniform(self, lo, hi):
        return lo + (hi - lo) * (self.next_uint32() / 4294967296)

    def below(self, n):
        limit = 4294967296 - (4294967296 % n)
        while True:
            r = self.next_uint32()
            if r < limit:
                return r % n


def augment_seed(seed, epoch):
    """The generator seed of an epoch's augmentation (apart from the shuffle's stream)."""
    return ((seed & _MASK) ^ (((epoch + 1) * 0x9E3779B1) & _MASK)) & _MASK


def augments(config):
    return any(float(recipe_value(config, key)) > 0 for key in ("augment_translate", "augment_degrees", "augment_scale"))


def augment_images(images, config, seed, epoch, chunk=4096):
    """Epoch epoch's (0-based) augmented copy of uint8 images [N, 28, 28], as the studio makes it.

    Per image in order: dx, dy (whole pixels), an angle (degrees) and a scale from the generator;
    each output pixel samples the source bilinearly (zero outside) at
    R(-angle) (x - dx - c, y - dy - c) / scale + c, rounded half up. The rotation is rounded to
    float32 in both implementations, so that libm's and V8's cos cannot disagree.
    """
    translate = int(recipe_value(config, "augment_translate"))
    degrees = float(recipe_value(config, "augment_degrees"))
    scale_range = float(recipe_value(config, "augment_scale"))
    images = np.asarray(images, dtype=np.uint8).reshape(-1, _SIDE, _SIDE)
    count = len(images)
    rng = Rng(augment_seed(seed, epoch))
    draws = np.empty((count, 5), dtype=np.float64)
    for n in range(count):
        dx = rng.below(2 * translate + 1) - translate
        dy = rng.below(2 * translate + 1) - translate
        angle = rng.uniform(-degrees, degrees)
        scale = rng.uniform(1 - scale_range, 1 + scale_range)
        radians = angle * math.pi / 180
        draws[n] = (dx, dy, float(np.float32(math.cos(radians))), float(np.float32(math.sin(radians))), scale)
    out = np.empty_like(images)
    grid_y, grid_x = np.meshgrid(np.arange(_SIDE, dtype=np.float64), np.arange(_SIDE, dtype=np.float64), indexing="ij")
    for lo in range(0, count, chunk):
        hi = min(lo + chunk, count)
        src = images[lo:hi].astype(np.float64)
        dx, dy = draws[lo:hi, 0, None, None], draws[lo:hi, 1, None, None]
        cos, sin = draws[lo:hi, 2, None, None], draws[lo:hi, 3, None, None]
        scale = draws[lo:hi, 4, None, None]
        u = grid_x - dx - _CENTRE
        v = grid_y - dy - _CENTRE
        sx = (cos * u + sin * v) / scale + _CENTRE
        sy = (cos * v - sin * u) / scale + _CENTRE
        x0, y0 = np.floor(sx), np.floor(sy)
        fx, fy = sx - x0, sy - y0
        x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
        index = np.arange(hi - lo)[:, None, None]

        def pixel(x, y):
            inside = (x >= 0) & (x < _SIDE) & (y >= 0) & (y < _SIDE)
            return np.where(inside, src[index, np.clip(y, 0, _SIDE - 1), np.clip(x, 0, _SIDE - 1)], 0.0)

        top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx
        bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx
        out[lo:hi] = np.minimum(255.0, np.floor(top * (1 - fy) + bottom * fy + 0.5)).astype(np.uint8)
    return out
`;
