/**
 * JsBackend: the Backend interface in pure TypeScript, assembled from the kernel files beside this
 * one (each mirrors the native/kernels/*.cc file of the same name). It is the fallback when the
 * addon cannot load and the living specification the native kernels are checked against.
 * This file only dispatches; the math lives in the kernel files.
 */
import type { Backend, CellKind, RecurrentBackwardArgs, RecurrentForwardArgs } from '../backend.js';
import { sgemm } from './gemm.js';
import { sigmoidArray, tanhArray } from './activations.js';
import { axpy, logSoftmaxRows, mul, softmaxRows } from './elementwise.js';
import { rnnBackward, rnnBackwardWorkspaceSize, rnnForward, rnnWorkspaceSize } from './rnn.js';
import { lstmBackward, lstmBackwardWorkspaceSize, lstmForward, lstmWorkspaceSize } from './lstm.js';
import { gruBackward, gruBackwardWorkspaceSize, gruForward, gruWorkspaceSize } from './gru.js';

function unknownCell(cell: never): never {
  throw new RangeError(`cell must be one of "rnn_tanh", "rnn_relu", "lstm", "gru", got ${JSON.stringify(cell)}`);
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

  recurrentWorkspaceSize(cell: CellKind, T: number, B: number, H: number): number {
    switch (cell) {
      case 'rnn_tanh':
      case 'rnn_relu': return rnnWorkspaceSize(T, B, H);
      case 'lstm': return lstmWorkspaceSize(T, B, H);
      case 'gru': return gruWorkspaceSize(T, B, H);
      default: return unknownCell(cell);
    }
  }

  recurrentBackwardWorkspaceSize(cell: CellKind, T: number, B: number, H: number): number {
    switch (cell) {
      case 'rnn_tanh':
      case 'rnn_relu': return rnnBackwardWorkspaceSize(T, B, H);
      case 'lstm': return lstmBackwardWorkspaceSize(T, B, H);
      case 'gru': return gruBackwardWorkspaceSize(T, B, H);
      default: return unknownCell(cell);
    }
  }

  recurrentForward(cell: CellKind, args: RecurrentForwardArgs): void {
    switch (cell) {
      case 'rnn_tanh': return rnnForward('tanh', args);
      case 'rnn_relu': return rnnForward('relu', args);
      case 'lstm': return lstmForward(args);
      case 'gru': return gruForward(args);
      default: return unknownCell(cell);
    }
  }

  recurrentBackward(cell: CellKind, args: RecurrentBackwardArgs): void {
    switch (cell) {
      case 'rnn_tanh': return rnnBackward('tanh', args);
      case 'rnn_relu': return rnnBackward('relu', args);
      case 'lstm': return lstmBackward(args);
      case 'gru': return gruBackward(args);
      default: return unknownCell(cell);
    }
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

  mul(out: Float32Array, a: Float32Array, b: Float32Array): void {
    mul(out, a, b);
  }

  softmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void {
    softmaxRows(out, x, rows, cols);
  }

  logSoftmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void {
    logSoftmaxRows(out, x, rows, cols);
  }
}
