/**
 * Matrix products on the backend's SGEMM: `matmul` (torch.matmul semantics, batched with
 * broadcasting) and `linear` (x @ Wᵀ + b with PyTorch's [out, in] weight layout). Each forward is
 * followed by its backward, which is two GEMMs; transposes are GEMM flags, never copies.
 *
 * Letters: M rows of a, K the contracted size, N columns of b, batch = the broadcast leading dims.
 *   matmul: a [..., M, K] @ b [..., K, N] → [..., M, N]
 *           1-D a [K] acts as [1, K] and 1-D b [K] as [K, 1]; the added dimension is removed again.
 *   linear: x [..., In] · weight [Out, In]ᵀ + bias [Out] → [..., Out]
 */
import { record1 } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { getBackend } from '../../backend/index.js';
import { broadcastIndexMap, broadcastShapes, sameShape, shapeSize } from '../broadcast.js';
import { checkMinDims, checkTensor } from './args.js';
import { shapeString } from '../../util/check.js';

/** The shapes of one matmul call, with 1-D operands promoted to matrices. */
interface MatmulPlan {
  M: number;
  K: number;
  N: number;
  /** Broadcast batch shape of the result. */
  batchShape: number[];
  batch: number;
  /** Per result batch, the batch index of a and of b (null: identity / no batch). */
  aBatchMap: Int32Array | null;
  bBatchMap: Int32Array | null;
  /** b has no batch dims: all of a's rows go through one GEMM with M·batch rows. */
  foldBatchIntoRows: boolean;
  /** The result's shape, with the dims added for 1-D operands removed. */
  shape: number[];
}

function planMatmul(a: Tensor, b: Tensor): MatmulPlan {
  checkMinDims('a', a, 1);
  checkMinDims('b', b, 1);
  const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const M = aShape[aShape.length - 2]!;
  const K = aShape[aShape.length - 1]!;
  const N = bShape[bShape.length - 1]!;
  if (bShape[bShape.length - 2] !== K) {
    throw new RangeError(
      `b must have ${K} rows (the last dimension of a ${shapeString(a.shape)}) in its ` +
        `${b.shape.length === 1 ? 'only' : 'second-to-last'} dimension, got shape ${shapeString(b.shape)}`,
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batchShape = broadcastShapes(aBatch, bBatch, 'matmul: the batch dimensions of a and b');
  const batch = shapeSize(batchShape);
  const shape = batchShape.slice();
  if (a.shape.length > 1) shape.push(M);
  if (b.shape.length > 1) shape.push(N);
  return {
    M,
    K,
    N,
    batchShape,
    batch,
    aBatchMap: sameShape(aBatch, batchShape) ? null : broadcastIndexMap(batchShape, aBatch),
    bBatchMap: sameShape(bBatch, batchShape) ? null : broadcastIndexMap(batchShape, bBatch),
    foldBatchIntoRows: bBatch.length === 0 && sameShape(aBatch, batchShape),
    shape,
  };
}

/** a @ b with torch.matmul's rules (batched, broadcast batch dims, 1-D operands). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('a', a);
  checkTensor('b', b);
  const p = planMatmul(a, b);
  const { M, K, N } = p;
  const out = new Float32Array(p.batch * M * N); // [batch, M, N]
  if (out.length > 0 && K > 0) {
    const gemm = getBackend();
    if (p.foldBatchIntoRows) {
      // [batch·M, K] @ [K, N]: one call, the common [B, T, H] @ [H, O] case.
      gemm.sgemm(false, false, p.batch * M, N, K, 1, a.data, K, b.data, N, 0, out, N);
    } else {
      for (let t = 0; t < p.batch; t++) {
        const ai = p.aBatchMap === null ? t : p.aBatchMap[t]!;
        const bi = p.bBatchMap === null ? t : p.bBatchMap[t]!;
        gemm.sgemm(
          false, false, M, N, K, 1,
          a.data.subarray(ai * M * K), K,
          b.data.subarray(bi * K * N), N,
          0, out.subarray(t * M * N), N,
        );
      }
    }
  }
  return record1('matmul', out, p.shape, [a, b], (g) => matmulBackward(a, b, p, g));
}

/**
 * dA = dC @ Bᵀ and dB = Aᵀ @ dC per batch, accumulated (beta = 1) into the operand's batch slot,
 * which sums over broadcast batch dims.
 */
function matmulBackward(a: Tensor, b: Tensor, p: MatmulPlan, g: Float32Array): (Float32Array | null)[] {
  const { M, K, N } = p;
  const gemm = getBackend();
  let dA: Float32Array | null = null;
  let dB: Float32Array | null = null;
  if (a.requiresGrad) dA = new Float32Array(a.size);
  if (b.requiresGrad) dB = new Float32Array(b.size);
  if (g.length === 0 || K === 0) return [dA, dB];
  if (p.foldBatchIntoRows) {
    const rows = p.batch * M;
    if (dA !== null) gemm.sgemm(false, true, rows, K, N, 1, g, N, b.data, N, 0, dA, K); // [rows, N] @ [K, N]ᵀ
    if (dB !== null) gemm.sgemm(true, false, K, N, rows, 1, a.data, K, g, N, 0, dB, N); // [rows, K]ᵀ @ [rows, N]
    return [dA, dB];
  }
  for (let t = 0; t < p.batch; t++) {
    const ai = p.aBatchMap === null ? t : p.aBatchMap[t]!;
    const bi = p.bBatchMap === null ? t : p.bBatchMap[t]!;
    const gt = g.subarray(t * M * N); // [M, N]
    if (dA !== null) {
      gemm.sgemm(false, true, M, K, N, 1, gt, N, b.data.subarray(bi * K * N), N, 1, dA.subarray(ai * M * K), K);
    }
    if (dB !== null) {
      gemm.sgemm(true, false, K, N, M, 1, a.data.subarray(ai * M * K), K, gt, N, 1, dB.subarray(bi * K * N), N);
    }
  }
  return [dA, dB];
}

/**
 * y = x @ weightᵀ + bias, as torch.nn.functional.linear: x [..., In], weight [Out, In],
 * bias [Out] or omitted → [..., Out]. One GEMM with transB; the bias is written into the output
 * first and the GEMM adds onto it (beta = 1).
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor('x', x);
  checkTensor('weight', weight);
  checkMinDims('x', x, 1);
  if (weight.shape.length !== 2) throw new RangeError(`weight must have shape [out, in], got ${shapeString(weight.shape)}`);
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  if (x.shape[x.shape.length - 1] !== inFeatures) {
    throw new RangeError(
      `x must have ${inFeatures} features in its last dimension (weight is ${shapeString(weight.shape)}), got shape ${shapeString(x.shape)}`,
    );
  }
  const hasBias = bias !== undefined && bias !== null;
  if (hasBias) {
    checkTensor('bias', bias);
    if (bias.shape.length !== 1 || bias.shape[0] !== outFeatures) {
      throw new RangeError(`bias must have shape [${outFeatures}], got ${shapeString(bias.shape)}`);
    }
  }
  const rowCount = shapeSize(x.shape.slice(0, -1)); // all leading dims flattened
  const y = new Float32Array(rowCount * outFeatures); // [rows, Out]
  if (hasBias) for (let r = 0; r < rowCount; r++) y.set(bias.data, r * outFeatures);
  if (y.length > 0 && inFeatures > 0) {
    getBackend().sgemm(false, true, rowCount, outFeatures, inFeatures, 1, x.data, inFeatures, weight.data, inFeatures, hasBias ? 1 : 0, y, outFeatures);
  }
  const shape = [...x.shape.slice(0, -1), outFeatures];
  const inputs = hasBias ? [x, weight, bias] : [x, weight];
  return record1('linear', y, shape, inputs, (g) => linearBackward(x, weight, hasBias ? bias : null, rowCount, g));
}

/** dX = dY @ W, dW = dYᵀ @ X, db = column sums of dY. */
function linearBackward(x: Tensor, weight: Tensor, bias: Tensor | null, rows: number, g: Float32Array): (Float32Array | null)[] {
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  const gemm = getBackend();
  let dX: Float32Array | null = null;
  let dW: Float32Array | null = null;
  if (x.requiresGrad) {
    dX = new Float32Array(x.size); // [rows, In] = [rows, Out] @ [Out, In]
    if (dX.length > 0 && outFeatures > 0) gemm.sgemm(false, false, rows, inFeatures, outFeatures, 1, g, outFeatures, weight.data, inFeatures, 0, dX, inFeatures);
  }
  if (weight.requiresGrad) {
    dW = new Float32Array(weight.size); // [Out, In] = [rows, Out]ᵀ @ [rows, In]
    if (dW.length > 0 && rows > 0) gemm.sgemm(true, false, outFeatures, inFeatures, rows, 1, g, outFeatures, x.data, inFeatures, 0, dW, inFeatures);
  }
  if (bias === null) return [dX, dW];
  let dB: Float32Array | null = null;
  if (bias.requiresGrad) {
    const acc = new Float64Array(outFeatures);
    for (let r = 0; r < rows; r++) {
      const row = r * outFeatures;
      for (let o = 0; o < outFeatures; o++) acc[o]! += g[row + o]!;
    }
    dB = Float32Array.from(acc);
  }
  return [dX, dW, dB];
}
