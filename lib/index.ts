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
export { Vocab, SPECIAL_TOKENS, PAD, UNK, BOS, EOS, PAD_ID, UNK_ID, BOS_ID, EOS_ID, type VocabJSON } from './data/vocab.js';
export { CharTokenizer, WordTokenizer, tokenizerFromJSON, loadTokenizer, type TokenizerOptions, type WordTokenizerOptions, type TokenizerEncodeOptions, type TokenizerDecodeOptions, type TokenizerJSON } from './data/tokenizers.js';
export { ArrayDataset, Subset, TextLineDataset, CsvDataset, randomSplit, trainValTestSplit, isDataset, type Dataset, type SplitOptions, type TrainValTestOptions, type TextLineOptions, type CsvOptions } from './data/dataset.js';
export { DataLoader, collateSequences, type DataLoaderOptions, type CollateOptions, type SequenceBatch } from './data/loader.js';
export { padSequences, sequenceLengths, lengthMask, toBatchFirst, toTimeMajor, unpadSequences, type Sequence, type PadOptions } from './data/padding.js';
export { languageModelBatches, LanguageModelBatches, type LanguageModelBatch, type LanguageModelBatchOptions } from './data/lm_batches.js';
export { readLines, readTextChunks, encodeLines, type TextSource, type StreamOptions } from './data/stream.js';
export { Normalizer, slidingWindows, splitSeries, WindowDataset, type NormalizationMethod, type NormalizerJSON, type WindowOptions, type SeriesWindow, type Series, type SeriesSplitOptions } from './data/timeseries.js';
export { LanguageModel, TiedLinear, type LanguageModelOptions } from './nn/models/language_model.js';
export { SequenceClassifier, type SequenceClassifierOptions, type SequenceForwardOptions } from './nn/models/sequence_classifier.js';
export { SequenceTagger, sequenceCrossEntropy, type SequenceTaggerOptions, type SequenceLossOptions } from './nn/models/sequence_tagger.js';
export { poolSteps, type Pooling, type PoolOptions } from './nn/models/pooling.js';
export { type CellType, type RecurrentLayer, type RecurrentState } from './nn/models/common.js';
export { fit, NonFiniteError, Trainer, type FitOptions, type History, type EpochLog, type StepLog, type StepContext, type StepResult, type StepFunction, type DataSource } from './train/fit.js';
export { EarlyStopping, LRSchedule, ModelCheckpoint, type Callback, type EarlyStoppingOptions, type ModelCheckpointOptions } from './train/callbacks.js';
export { accuracy, perplexity, f1Score, Accuracy, F1, Perplexity, MeanLoss, type Metric } from './train/metrics.js';
export { Progress, type ProgressOptions, type ProgressMode } from './train/progress.js';
export { detachState, type Carry } from './train/tbptt.js';
export { Attention, type AttentionKind, type AttentionOptions, type AttentionMemory, type AttentionResult } from './nn/models/attention.js';
export { Seq2Seq, type Seq2SeqOptions, type Seq2SeqAttention, type Encoded, type DecodeOptions, type BeamDecodeOptions } from './nn/models/seq2seq.js';
export { beamSearch, greedySearch, type Hypothesis, type SearchStep, type BeamSearchOptions, type GreedySearchOptions } from './nn/models/search.js';
export { sample, sampleRows, generate, type SampleOptions, type GenerateOptions, type GenerateResult, type StreamingModel } from './nn/generate.js';
export { systemInfo, type SystemInfo, type NativeInfo } from './backend/info.js';
export { setNumThreads, getNumThreads } from './backend/threads.js';
/** Drops the recurrent layers' reusable training buffers (PyTorch's empty_cache), e.g. after training. */
export { emptyPool as emptyWorkspacePool } from './nn/recurrent/workspace_pool.js';
