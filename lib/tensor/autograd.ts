/**
 * Tape autograd. Each op that produces a tensor from inputs needing gradients records one `Node`: the
 * inputs, the outputs and a backward function that maps output gradients to input gradients.
 * `backward(root)` walks the nodes in reverse topological order, accumulating gradients; leaves
 * (tensors created by the user with `requiresGrad`) receive them in `.grad`.
 *
 * Gradients travel as plain `Float32Array`s shaped like their tensors. A backward function may return
 * the very buffer it received (reshape does); the walker copies before it ever accumulates into a
 * buffer it does not own, so aliasing is safe. This file holds no math beyond that accumulation.
 */
import { Tensor } from './tensor.js';

/** Maps the gradients of a node's outputs (null: no gradient reached it) to its inputs' gradients. */
export type BackwardFn = (gradOutputs: (Float32Array | null)[]) => (Float32Array | null)[];

export class Node {
  constructor(
    /** The op's name, for error messages and debugging. */
    readonly name: string,
    readonly inputs: readonly Tensor[],
    readonly outputs: readonly Tensor[],
    readonly backwardFn: BackwardFn,
  ) {}
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording anything on the tape (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Enables or disables recording globally; returns the previous setting. */
export function setGradEnabled(enabled: boolean): boolean {
  const previous = gradEnabled;
  gradEnabled = enabled;
  return previous;
}

/**
 * Wraps op results as tensors and, when any input needs a gradient, records one node for them.
 * `backward` receives one gradient (or null) per output and returns one (or null) per input; it
 * should return null for inputs whose `requiresGrad` is false, to save the work.
 */
export function record(
  name: string,
  outputs: { data: Float32Array; shape: number[] }[],
  inputs: readonly Tensor[],
  backward: BackwardFn,
): Tensor[] {
  const needsGrad = gradEnabled && inputs.some((t) => t.requiresGrad);
  const tensors = outputs.map((o) => new Tensor(o.data, o.shape, { requiresGrad: needsGrad }));
  if (needsGrad) {
    const node = new Node(name, inputs, tensors, backward);
    tensors.forEach((t, i) => t._setNode(node, i));
  }
  return tensors;
}

/** `record` for the common case of one output: backward gets that output's gradient. */
export function record1(
  name: string,
  data: Float32Array,
  shape: number[],
  inputs: readonly Tensor[],
  backward: (gradOutput: Float32Array) => (Float32Array | null)[],
): Tensor {
  return record(name, [{ data, shape }], inputs, (grads) => backward(grads[0]!))[0]!;
}

/**
 * For a backward function that can ADD a leaf input's gradient straight into place (a kernel that
 * accumulates, as the recurrent ones do): the leaf's `.grad` buffer, created zeroed when absent, to
 * add into; the function then returns null for that input, and the walker has nothing to copy or
 * add. Null when `t` is not a leaf that takes a gradient (return the gradient as usual). Saves a
 * gradient-sized allocation and a pass over it: 4 MB per weight matrix of an LSTM at H = 512.
 */
export function leafGradTarget(t: Tensor): Float32Array | null {
  if (!t.requiresGrad || t.gradFn !== null) return null;
  if (t.grad === null) t.grad = new Tensor(new Float32Array(t.size), t.shape.slice());
  return t.grad.data;
}

/** Nodes reachable from `root`, ordered so that every node comes after all nodes that consume it. */
function topologicalOrder(root: Node): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>();
  // Iterative DFS (post-order): a recurrent model unrolled by cells can be thousands of nodes deep.
  const stack: [Node, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, next] = top;
    if (next < node.inputs.length) {
      top[1] = next + 1;
      const child = node.inputs[next]!.gradFn;
      if (child !== null && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

/**
 * Backpropagates from `root`. `gradient` defaults to 1 for a one-element root (a loss); any other
 * root needs an explicit gradient of its shape, as in PyTorch.
 */
export function backward(root: Tensor, gradient?: Tensor | Float32Array): void {
  if (!root.requiresGrad) {
    throw new RangeError('backward() needs a tensor that requires grad: none of its inputs had requiresGrad set');
  }
  let seed: Float32Array;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new RangeError(`backward() without a gradient needs a one-element tensor, got shape [${root.shape.join(', ')}]`);
    }
    seed = new Float32Array([1]);
  } else {
    seed = gradient instanceof Tensor ? gradient.data : gradient;
    if (!(seed instanceof Float32Array) || seed.length !== root.size) {
      throw new RangeError(`gradient must have ${root.size} elements (the root's shape [${root.shape.join(', ')}]), got ${seed?.length}`);
    }
  }
  if (root.gradFn === null) {
    accumulateLeaf(root, seed);
    return;
  }

  const grads = new Map<Tensor, Float32Array>();
  const owned = new Set<Float32Array>();
  const accumulate = (t: Tensor, g: Float32Array): void => {
    if (t.gradFn === null || t.retainsGrad) accumulateLeaf(t, g);
    if (t.gradFn === null) return;
    const existing = grads.get(t);
    if (existing === undefined) {
      grads.set(t, g);
      return;
    }
    let target = existing;
    if (!owned.has(target)) {
      target = Float32Array.from(existing);
      owned.add(target);
      grads.set(t, target);
    }
    for (let i = 0; i < target.length; i++) target[i]! += g[i]!;
  };

  grads.set(root, seed);
  if (root.retainsGrad) accumulateLeaf(root, seed);
  for (const node of topologicalOrder(root.gradFn)) {
    const gradOutputs = node.outputs.map((t) => grads.get(t) ?? null);
    if (gradOutputs.every((g) => g === null)) continue;
    const gradInputs = node.backwardFn(gradOutputs);
    node.inputs.forEach((input, i) => {
      const g = gradInputs[i];
      if (g === null || g === undefined || !input.requiresGrad) return;
      if (g.length !== input.size) {
        throw new Error(`internal: ${node.name} backward gave ${g.length} gradient values for an input of ${input.size}`);
      }
      accumulate(input, g);
    });
    for (const t of node.outputs) grads.delete(t); // free as we go
  }
}

function accumulateLeaf(t: Tensor, g: Float32Array): void {
  if (t.grad === null) {
    t.grad = new Tensor(Float32Array.from(g), t.shape.slice());
  } else {
    const target = t.grad.data;
    for (let i = 0; i < target.length; i++) target[i]! += g[i]!;
  }
}
