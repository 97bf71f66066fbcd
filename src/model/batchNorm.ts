// PyTorch's BatchNorm2d defaults, in one place for every engine and exporter. Plain constants with
// no imports, so the fused CPU step's AssemblyScript (src/engine/cpu/assembly) compiles this file too.

/** Added to the variance before its square root. */
export const BATCH_NORM_EPSILON = 1e-5;

/** Weight of a training batch's statistics in the running mean and variance. */
export const BATCH_NORM_MOMENTUM = 0.1;
