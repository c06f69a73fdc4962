/**
 * JsBackend: the Backend interface in pure TypeScript, assembled from the kernel files beside this
 * one (each mirrors the native/kernels/*.cc file of the same name). It is the fallback when the
 * addon cannot load and the living specification the native kernels are checked against.
 * This file only dispatches; the math lives in the kernel files.
 */
import type { Backend, CellKind, RecurrentBackwardArgs, RecurrentForwardArgs } from '../backend.js';
import { sgemm } from './gemm.js';
import { sigmoidArray, tanhArray } from './activations.js';
import { axpy, logSoftmaxRows, softmaxRows } from './elementwise.js';

function notYet(what: string): never {
  throw new Error(`rnnkit js backend: ${what} is not implemented yet`);
}

export class JsBackend implements Backend {
  readonly name = 'js' as const;

  sgemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: Float32Array, lda: number, B: Float32Array, ldb: number,
    beta: number, C: Float32Array, ldc: number,
  ): void {
    sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }

  recurrentWorkspaceSize(cell: CellKind, _T: number, _B: number, _H: number): number {
    return notYet(`recurrentWorkspaceSize(${cell})`);
  }

  recurrentBackwardWorkspaceSize(cell: CellKind, _T: number, _B: number, _H: number): number {
    return notYet(`recurrentBackwardWorkspaceSize(${cell})`);
  }

  recurrentForward(cell: CellKind, _args: RecurrentForwardArgs): void {
    notYet(`recurrentForward(${cell})`);
  }

  recurrentBackward(cell: CellKind, _args: RecurrentBackwardArgs): void {
    notYet(`recurrentBackward(${cell})`);
  }

  tanh(out: Float32Array, x: Float32Array): void {
    tanhArray(out, x);
  }

  sigmoid(out: Float32Array, x: Float32Array): void {
    sigmoidArray(out, x);
  }

  axpy(y: Float32Array, alpha: number, x: Float32Array): void {
    axpy(y, alpha, x);
  }

  softmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void {
    softmaxRows(out, x, rows, cols);
  }

  logSoftmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void {
    logSoftmaxRows(out, x, rows, cols);
  }
}
