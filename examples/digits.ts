/**
 * Digits read row by row: sequence classification (many-to-one) of handwritten digits.
 *
 * ../shared/data/digits.csv holds 1,797 images of 8×8 pixels (UCI optdigits, as scikit-learn ships
 * them): 64 pixel values in 0..16, then the label. Each image becomes a sequence of T = 8 steps, one
 * pixel row of 8 values per step, top to bottom; an LSTM reads the rows and a linear layer classifies
 * its state after the last row (SequenceClassifier, pooling 'last'). A seeded split keeps 20% of the
 * images for the test and 10% for validation (watched, not used to choose anything). Small LSTMs reach
 * about 97–98% test accuracy; chance is 10%. With 359 test images, one image is 0.28%, and the split
 * seed alone moves the result by about ±1%.
 *
 *   npm run example:digits
 *   npm run example:digits -- --hidden 128 --bidirectional --epochs 80
 *   npm run example:digits -- --steps 20          (a smoke run)
 */
import {
  SequenceClassifier, CsvDataset, ArrayDataset, DataLoader, Adam, CosineAnnealingLR, crossEntropy, accuracy, fit,
  noGrad, manualSeed, trainValTestSplit, tensor, getBackend,
} from 'rnnkit';
import type { SequenceBatch, Tensor } from 'rnnkit';
import { dataPath, parseOptions, percent, stopwatch } from './common.js';

const opts = parseOptions('digits: an LSTM reads 8×8 digit images row by row (T = 8 steps of 8 pixels) and classifies them', {
  data: { value: '', help: 'digits CSV (64 pixels then the label per row)' },
  hidden: { value: 128, help: 'LSTM hidden units', int: true },
  bidirectional: { value: false, help: 'read the rows in both directions' },
  dropout: { value: 0.2, help: 'dropout on the inputs and before the classifier' },
  epochs: { value: 60, help: 'training epochs', int: true },
  steps: { value: 0, help: 'stop after this many optimizer steps (0: no limit)', int: true },
  batch: { value: 32, help: 'images per batch', int: true },
  lr: { value: 3e-3, help: 'Adam learning rate' },
  seed: { value: 1, help: 'seed of the split, the initial weights and the batch order', int: true },
});

// ---- data: CSV rows → { x [8 rows, 8 pixels] scaled to [0, 1], y label } ----
const T = 8;
const PIXELS = 8;
const csv = await CsvDataset.fromFile(dataPath('digits.csv', opts.data), { header: false });
if (csv.numColumns !== T * PIXELS + 1) throw new RangeError(`digits CSV must have ${T * PIXELS + 1} columns, got ${csv.numColumns}`);
interface Image { x: Tensor; y: number } // x [8, 8]
const images = new ArrayDataset(Array.from({ length: csv.length }, (_, i): Image => {
  const row = csv.get(i); // [65]
  return { x: tensor(row.slice(0, T * PIXELS).map((v) => v / 16), [T, PIXELS]), y: row[T * PIXELS]! };
}));
const { train, val, test } = trainValTestSplit(images, { valFraction: 0.1, testFraction: 0.2, seed: opts.seed });
// The default collate stacks the examples time-major: x [T, B, 8], y [B] (labels as numbers).
const loader = (set: typeof train, shuffle: boolean): DataLoader<Image> => new DataLoader(set, { batchSize: opts.batch, shuffle, seed: opts.seed });

// ---- model and training ----
manualSeed(opts.seed);
const model = new SequenceClassifier({
  inputSize: PIXELS, hiddenSize: opts.hidden, numClasses: 10, bidirectional: opts.bidirectional, dropout: opts.dropout,
});
const optimizer = new Adam(model.parameters(), { lr: opts.lr });
const step = (m: SequenceClassifier, batch: SequenceBatch) => {
  const logits = m.forward(batch.x); // [B, 10]
  return { loss: crossEntropy(logits, batch.y!), output: logits, target: batch.y!, count: batch.y!.size };
};

console.log(`backend ${getBackend().name}; ${images.length} images: ${train.length} train, ${val.length} validation, ${test.length} test`);
console.log(`${opts.bidirectional ? 'bidirectional ' : ''}LSTM(8 → ${opts.hidden}) over T = ${T} rows + Linear → 10 classes, Adam lr ${opts.lr}, batch ${opts.batch}`);
const elapsed = stopwatch();
const history = await fit(model, {
  data: loader(train, true),
  validationData: loader(val, false),
  epochs: opts.epochs,
  optimizer,
  // The learning rate falls along a half cosine to 0 at the last epoch: the last epochs average out the noise of small batches.
  scheduler: new CosineAnnealingLR(optimizer, { tMax: opts.epochs }),
  loss: step,
  metrics: ['accuracy'],
  gradClipNorm: 5,
  ...(opts.steps > 0 ? { maxSteps: opts.steps } : {}),
  progress: false,
  callbacks: [{
    onEpochEnd: (_, log) => {
      if ((log.epoch + 1) % 10 === 0 || log.epoch === 0) {
        console.log(`epoch ${String(log.epoch + 1).padStart(3)}  loss ${log.loss!.toFixed(4)}  train accuracy ${percent(log.accuracy!)}  validation accuracy ${percent(log.valAccuracy!)}`);
      }
    },
  }],
});

// ---- test accuracy ----
const testAccuracy = noGrad(() => {
  model.eval();
  let correct = 0;
  for (const batch of loader(test, false)) correct += accuracy(model.forward(batch.x), batch.y as Tensor) * batch.y!.size;
  return correct / test.length;
});
console.log(`trained ${history.step} steps (${history.epochs.length} epochs) in ${elapsed().toFixed(1)} s`);
console.log(`test accuracy: ${percent(testAccuracy)} on ${test.length} images (chance 10%)`);
