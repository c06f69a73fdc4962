/**
 * rnnkit's public API (DESIGN.md): re-exports only. Anything not exported here is internal.
 */
export { Tensor, tensor, zeros, ones, full, numel, type TensorOptions } from './tensor/tensor.js';
export { noGrad, isGradEnabled, setGradEnabled } from './tensor/autograd.js';
export { add, sub, mul, div, neg, exp, log } from './tensor/ops/elementwise.js';
export { tanh, sigmoid, relu } from './tensor/ops/activations.js';
export { sum, mean } from './tensor/ops/reduce.js';
export { matmul, linear } from './tensor/ops/matmul.js';
export { reshape, transpose, permute, concat, slice, stack } from './tensor/ops/shape.js';
export { gather, embedding } from './tensor/ops/gather.js';
export { softmax, logSoftmax } from './tensor/ops/softmax.js';
export { crossEntropy, mseLoss, bceWithLogits } from './tensor/ops/losses.js';
export { dropout } from './tensor/ops/dropout.js';

export { Module } from './nn/module.js';
export { Linear } from './nn/linear.js';
export { Embedding } from './nn/embedding.js';
export { Dropout } from './nn/dropout.js';
export { Sequential } from './nn/sequential.js';
export { RNN } from './nn/recurrent/rnn.js';
export { LSTM } from './nn/recurrent/lstm.js';
export { GRU } from './nn/recurrent/gru.js';
export { RNNCell, LSTMCell, GRUCell } from './nn/recurrent/cells.js';
export * as init from './nn/init.js';

export { setBackend, getBackend, getFallbackReason, isNativeAvailable, type BackendName } from './backend/index.js';
export type { Backend, CellKind } from './backend/backend.js';
export { Rng, manualSeed, defaultRng } from './data/rng.js';

export { Optimizer, type ParamGroup, type ParamState, type OptimizerStateDict } from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions } from './optim/adam.js';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';
export { Adagrad, type AdagradOptions } from './optim/adagrad.js';
export { clipGradNorm, clipGradValue } from './optim/clip.js';
export { LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau } from './optim/schedule.js';
export { saveCheckpoint, loadCheckpoint, readCheckpoint, checkpointPath, listCheckpoints, latestCheckpoint, pruneCheckpoints, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint, type CheckpointContents } from './io/checkpoint.js';
