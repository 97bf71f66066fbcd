/**
 * Slots of the fused CPU step's plan: the i32 table in wasm memory that tells the kernels where
 * every tensor lives. This file is read by both TypeScript and AssemblyScript, so it holds only
 * integer constants.
 */

/** Header slots (i32 index from the plan's start). */
export const H_BLOCKS = 0;
export const H_PARAMS = 1;
export const H_FLAT = 2;
export const H_EXP_AVG = 3;
export const H_EXP_AVG_SQ = 4;
export const H_MAP = 5;
export const H_MAP_T = 6;
export const H_PADDED = 7;
export const H_TRANSPOSED = 8;
export const H_SLOT_SIZE = 9;
export const H_SLOTS = 10;
export const H_ACT = 11;
export const H_ACT_PER = 12;
export const H_GRAD = 13;
export const H_GRAD_PER = 14;
export const H_REC = 15;
export const H_REC_PER = 16;
export const H_STATS = 17;
export const H_STATS_PER = 18;
export const H_RUN_MEAN = 19;
export const H_RUN_VAR = 20;
export const H_TRAIN_IMAGES = 21;
export const H_TRAIN_LABELS = 22;
export const H_ORDER = 23;
export const H_STEP_COUNT = 24;
export const H_STEPS = 25;
export const H_STEP_CONSTS = 26;
export const H_BETA1 = 27;
export const H_ONE_MINUS_BETA1 = 28;
export const H_BETA2 = 29;
export const H_ONE_MINUS_BETA2 = 30;
export const H_EPS = 31;
export const H_LAST_LOSS = 32;
export const H_EPOCH_LOSS = 33;
export const H_BARRIER = 34;
export const H_STEM = 35;
export const H_BLOCK_TABLE = 36;
export const H_FC = 37;
export const H_EVAL_IMAGES = 38;
export const H_EVAL_FLOAT = 39;
export const H_EVAL_LABELS = 40;
export const H_EVAL_LOGITS = 41;
export const H_EVAL_LOSS = 42;
export const H_INPUT = 43;
export const H_A0 = 44;
export const H_GRAD_A0 = 45;
export const H_LOGITS = 46;
export const H_GRAD_LOGITS = 47;
export const H_IMAGE_LOSS = 48;
export const H_CHUNK = 49;
export const H_EVAL_PRED = 50;
export const H_PROFILE = 51;
export const H_SCRATCH = 52;
export const H_SCRATCH_PER = 53;
/** CrossEntropyLoss's label_smoothing (f32); 0 is the plain loss. */
export const H_LABEL_SMOOTHING = 54;
/** Floats per step in H_STEP_CONSTS: lr / (1 - beta1^t), sqrt(1 - beta2^t), AdamW's decay factor, Adam's L2 coefficient. */
export const STEP_CONSTS = 4;
export const HEADER_SLOTS = 64;

/** A convolution's record (i32 slots). Offsets are floats into the padded, transposed and slot regions. */
export const C_KERNEL = 0;
export const C_STRIDE = 1;
export const C_PAD = 2;
export const C_CIN = 3;
export const C_CIN_P = 4;
export const C_COUT = 5;
export const C_COUT_P = 6;
export const C_H = 7;
export const C_W = 8;
export const C_HO = 9;
export const C_WO = 10;
export const C_WEIGHT = 11;
export const C_BIAS = 12;
export const C_TRANSPOSED = 13;
export const CONV_SLOTS = 16;

/** A BatchNorm's record. */
export const N_CHANNELS = 0;
export const N_CHANNELS_P = 1;
export const N_HW = 2;
export const N_GAMMA = 3;
export const N_BETA = 4;
export const N_RUNNING = 5;
export const N_STATS = 6;
export const N_RECORD = 7;
export const BN_SLOTS = 8;

/** Per-channel vectors of a BatchNorm's statistics (each `channelsP` floats, from N_STATS). */
export const S_MEAN = 0;
export const S_INV_STD = 1;
export const S_SCALE = 2;
export const S_SHIFT = 3;
export const S_GRAD_MEAN = 4;
export const S_PROJ = 5;
export const S_GAMMA = 6;
export const STATS_VECTORS = 8;

/** Per-image vectors of a BatchNorm (each `channelsP` floats, from N_RECORD). */
export const R_SUM = 0;
export const R_M2 = 1;
export const R_DY = 2;
export const R_DY_XHAT = 3;
export const RECORD_VECTORS = 4;

/** A Bottleneck's record: tensor offsets (floats in an image's arena), then its convolutions and BatchNorm. */
export const B_SKIP = 0;
export const B_X = 1;
export const B_E = 2;
export const B_U = 3;
export const B_D = 4;
export const B_Y = 5;
export const B_GRAD_Y = 6;
export const B_GRAD_D = 7;
export const B_GRAD_U = 8;
export const B_GRAD_E = 9;
export const B_GRAD_X = 10;
/** Offset of the activation whose relu6 masks the input gradient, or -1. */
export const B_MASK_X = 11;
export const B_EXPANSION = 16;
export const B_DEPTHWISE = B_EXPANSION + CONV_SLOTS;
export const B_PROJECTION = B_DEPTHWISE + CONV_SLOTS;
export const B_BATCH_NORM = B_PROJECTION + CONV_SLOTS;
export const BLOCK_SLOTS = B_BATCH_NORM + BN_SLOTS;

/** The fc record. */
export const F_IN = 0;
export const F_OUT = 1;
export const F_WEIGHT = 2;
export const F_BIAS = 3;
export const FC_SLOTS = 4;

/** Images per gradient slot: weight gradients are summed per chunk, then over chunks in order. */
export const CHUNK_IMAGES = 8;

/**
 * A gradient offset with this bit set lives in the thread's scratch (used and dropped within one
 * stretch between barriers); without it, in the image's gradient arena (it crosses a barrier).
 */
export const SCRATCH_FLAG = 0x40000000;
