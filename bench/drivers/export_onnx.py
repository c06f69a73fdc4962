#!/usr/bin/python3
"""Exports the PyTorch model of one bench case to ONNX, for the onnxruntime-node driver (ort.ts).

    /usr/bin/python3 bench/drivers/export_onnx.py --case '<BenchCase as JSON>' --out <file.onnx>

The model is the one bench/drivers/torch.py times, built the same way and filled with the same
deterministic weights by torch.py's own fill_parameters (imported, not copied), so ORT computes
what torch computes and the runner's checksum comparison covers it. torch.onnx.export of Debian's
torch 1.13 writes the file without the `onnx` Python package.

Graphs (time-major, as in PyTorch; T and B are dynamic axes, so one file serves every T and B):
  recurrent: x [T, B, I] -> out [T, B, D*H]: nn.RNN/LSTM/GRU become ONNX RNN/LSTM/GRU operators, one
    per layer (and direction).
  stream: one LSTMCell step, x [1, B, I], h0 [1, B, H], c0 [1, B, H] -> h [1, B, H], c [1, B, H]: a
    one-layer nn.LSTM run for one step from (h0, c0) carrying the LSTMCell's weights, which exports
    as one ONNX LSTM operator (nn.LSTMCell itself exports as a dozen elementwise operators).

Prints one line `EXPORTED {json}` on success; on failure, the reason on stderr and exit code 1.
"""
import importlib.util
import json
import os
import sys
import warnings

OPSET = 17  # the newest opset torch 1.13 exports; onnxruntime 1.30 runs opsets up to 23

# This directory holds torch.py: keep it off the path so `import torch` finds PyTorch.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import torch  # noqa: E402

# torch 1.13's exporter warns about shape inference of constants it handles; the caller shows stderr only on failure.
warnings.filterwarnings('ignore', category=UserWarning)


def load_torch_driver():
    """bench/drivers/torch.py as a module (imported, it only defines its functions)."""
    spec = importlib.util.spec_from_file_location('bench_torch_driver', os.path.join(_HERE, 'torch.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DRIVER = load_torch_driver()


class OutputOnly(torch.nn.Module):
    """The recurrent stack returning only its output sequence (torch.py's checksum sums that)."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):  # x [T, B, I] -> [T, B, D*H]
        return self.rnn(x)[0]


class OneStep(torch.nn.Module):
    """One LSTMCell step as a one-layer LSTM over one time step, from and to explicit state."""

    def __init__(self, lstm):
        super().__init__()
        self.lstm = lstm

    def forward(self, x, h0, c0):  # [1, B, I], [1, B, H], [1, B, H]
        _, (h, c) = self.lstm(x, (h0, c0))
        return h, c


def recurrent_model(c):
    ctor = {'rnn': torch.nn.RNN, 'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU}[c['cell']]
    rnn = ctor(c['inputSize'], c['hiddenSize'], num_layers=c['numLayers'], bidirectional=c['bidirectional'])
    DRIVER.fill_parameters(rnn, c['hiddenSize'])
    x = torch.zeros(2, 1, c['inputSize'])
    return OutputOnly(rnn), (x,), ['x'], ['out'], {'x': {0: 'T', 1: 'B'}, 'out': {0: 'T', 1: 'B'}}


def stream_model(c):
    I, H = c['inputSize'], c['hiddenSize']
    cell = torch.nn.LSTMCell(I, H)
    DRIVER.fill_parameters(cell, H)  # the torch driver's streaming weights
    lstm = torch.nn.LSTM(I, H)
    with torch.no_grad():
        for name in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'):
            getattr(lstm, name + '_l0').copy_(getattr(cell, name))
    # Same weights, same step: the LSTM's one step from (h0, c0) is the cell's.
    x, h0, c0 = torch.randn(1, 3, I), torch.randn(1, 3, H), torch.randn(1, 3, H)
    with torch.no_grad():
        h_cell, c_cell = cell(x[0], (h0[0], c0[0]))
        _, (h_lstm, c_lstm) = lstm(x, (h0, c0))
    if not (torch.allclose(h_cell, h_lstm[0], atol=1e-6) and torch.allclose(c_cell, c_lstm[0], atol=1e-6)):
        raise RuntimeError('the one-step LSTM does not reproduce the LSTMCell')
    axes = {'x': {1: 'B'}, 'h0': {1: 'B'}, 'c0': {1: 'B'}, 'h': {1: 'B'}, 'c': {1: 'B'}}
    return OneStep(lstm), (x, h0, c0), ['x', 'h0', 'c0'], ['h', 'c'], axes


def main(argv):
    args = dict(zip(argv[0::2], argv[1::2]))
    if len(argv) % 2 != 0 or '--case' not in args or '--out' not in args:
        raise ValueError("usage: export_onnx.py --case '<BenchCase JSON>' --out <file.onnx>")
    c = json.loads(args['--case'])
    builders = {'recurrent': recurrent_model, 'stream': stream_model}
    if c.get('kind') not in builders:
        raise ValueError('no ONNX graph for a %r case' % c.get('kind'))
    model, example, inputs, outputs, axes = builders[c['kind']](c)
    model.eval()
    out = args['--out']
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    partial = '%s.%d.tmp' % (out, os.getpid())  # written whole, then renamed: no half file in the cache
    with torch.no_grad():
        torch.onnx.export(model, example, partial, input_names=inputs, output_names=outputs,
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    os.replace(partial, out)
    print('EXPORTED ' + json.dumps({'path': out, 'opset': OPSET, 'torch': torch.__version__,
                                    'inputs': inputs, 'outputs': outputs}))


if __name__ == '__main__':
    try:
        main(sys.argv[1:])
    except Exception as err:  # noqa: BLE001 - the caller shows this line as the reason for n/a
        sys.stderr.write('export_onnx.py: %s: %s\n' % (type(err).__name__, err))
        sys.exit(1)
