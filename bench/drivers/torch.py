#!/usr/bin/python3
"""Bench driver: one case in PyTorch (Debian python3-torch, CPU, OpenBLAS), in its own process.

Started by bench/index.ts with the same arguments as the TypeScript drivers and printing the same
one `BENCH_RESULT {json}` line; the protocol, the timing rule and the deterministic fill are those
of bench/drivers/protocol.ts (keep the two in step). The case arrives as JSON, so the shapes live
only in bench/cases.ts.

The driver refuses to report a number unless torch really runs its GEMMs on OpenBLAS: after a
matmul, libopenblas must be mapped into this process (/proc/self/maps) and a 1024^3 torch.mm must
reach MIN_BLAS_GFLOPS (a reference BLAS reaches 1-3 GFLOP/s, OpenBLAS 50+ per core). When
OpenBLAS's CPU detection picks kernels narrower than the CPU's widest vector unit, the driver runs
itself again with OPENBLAS_CORETYPE set (retarget_openblas_core) and says so in its info.

Work per case, as in run.ts: torch.nn.RNN/LSTM/GRU (time-major), training step = zero_grad,
forward, backward of sum(out * R); inference under torch.no_grad(); streaming = nn.LSTMCell called
once per step carrying (h, c); GEMM = torch.mm / addmm into a preallocated output.
"""
import json
import math
import os
import resource
import statistics
import sys
import time

RESULT_PREFIX = 'BENCH_RESULT '
MIN_BLAS_GFLOPS = 10.0
SALT = {'x': 1000, 'r': 1001, 'a': 2000, 'b': 2001}


def emit(result):
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + '\n')
    sys.stdout.flush()


def fail(reason):
    emit({'ok': False, 'driver': 'torch', 'reason': reason})
    sys.exit(0)


def parse_argv(argv):
    if len(argv) % 2 != 0:
        raise ValueError('driver arguments must be --key value pairs, got %r' % (argv,))
    values = {argv[i][2:]: argv[i + 1] for i in range(0, len(argv), 2)}
    return {
        'case': json.loads(values['case']),
        'threads': int(values['threads']),
        'plan': {
            'warmup': int(values['warmup']), 'targetMs': float(values['target-ms']),
            'minReps': int(values['min-reps']), 'maxReps': int(values['max-reps']),
            'minSampleMs': float(values['min-sample-ms']),
        },
    }


def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / (1024 * 1024)


# Run as the driver, or imported for its model and fill code (export_onnx.py): only the driver reads arguments.
AS_DRIVER = __name__ == '__main__'
if AS_DRIVER:
    try:
        ARGS = parse_argv(sys.argv[1:])
    except Exception as err:  # noqa: BLE001 - any malformed input becomes a reported failure
        fail('bad driver arguments: %s' % err)

    THREADS = ARGS['threads']
    # The runner sets these too; set them again before torch loads so OpenMP and OpenBLAS size their pools.
    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[var] = str(THREADS)

# This file is named torch.py: drop its own directory from the path so `import torch` finds PyTorch.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

try:
    import torch
except Exception as err:  # noqa: BLE001
    fail('cannot import torch with /usr/bin/python3 (install python3-torch): %s' % err)

if AS_DRIVER:
    torch.set_num_threads(THREADS)
    torch.set_num_interop_threads(1)
    if torch.get_num_threads() != THREADS:
        fail('torch runs %d intra-op threads, %d were asked for' % (torch.get_num_threads(), THREADS))


# OpenBLAS kernels that use the CPU's widest vector unit, and the core to force when it picked
# another. OpenBLAS 0.3.21 (Debian 12) knows no CPU newer than its release: on an Emerald Rapids
# Xeon (family 6, model 207) it falls back to Prescott's SSE3 kernels, 4.7x slower than SkylakeX's.
WIDE_CORES = (
    ('avx512f', {'SkylakeX', 'Cooperlake', 'SapphireRapids'}, 'SkylakeX'),
    ('avx2', {'Haswell', 'SkylakeX', 'Cooperlake', 'SapphireRapids', 'Zen'}, 'Haswell'),
)


def retarget_openblas_core(detected):
    """Re-runs this driver with OPENBLAS_CORETYPE set when OpenBLAS's own detection left the CPU's
    widest vector unit idle; an OPENBLAS_CORETYPE given by the user (--openblas-core) is kept."""
    if os.environ.get('OPENBLAS_CORETYPE'):
        return
    with open('/proc/cpuinfo') as cpuinfo:
        flags = next((line.split(':', 1)[1].split() for line in cpuinfo if line.startswith('flags')), [])
    for flag, wide, forced in WIDE_CORES:
        if flag in flags:
            if detected not in wide:
                os.environ['OPENBLAS_CORETYPE'] = forced
                os.environ['RNNKIT_BENCH_OPENBLAS_DETECTED'] = detected
                os.execv(sys.executable, [sys.executable] + sys.argv)
            return


def check_openblas():
    """Returns info about the BLAS in use, or calls fail() if it is not a fast OpenBLAS."""
    a = torch.ones(1024, 1024)
    b = torch.ones(1024, 1024)
    torch.mm(a, b)  # loads the BLAS library if it is loaded lazily
    with open('/proc/self/maps') as maps:
        blas_paths = sorted({line.split()[-1] for line in maps if 'libopenblas' in line})
    if not blas_paths:
        fail('torch did not load OpenBLAS (no libopenblas in /proc/self/maps); install libopenblas0-openmp '
             'and select it with update-alternatives for libblas.so.3')
    # Ask OpenBLAS itself which kernels it chose (OPENBLAS_CORETYPE or its CPU detection) and pin its
    # thread count to ours (its OpenMP build follows OMP_NUM_THREADS, set above; this makes sure).
    import ctypes
    blas = ctypes.CDLL(blas_paths[0])
    blas.openblas_get_corename.restype = ctypes.c_char_p
    blas.openblas_get_config.restype = ctypes.c_char_p
    blas.openblas_set_num_threads(THREADS)
    info = {
        'blas': blas_paths[0], 'openblasCore': blas.openblas_get_corename().decode(),
        'openblasConfig': blas.openblas_get_config().decode(), 'openblasThreads': blas.openblas_get_num_threads(),
        'OPENBLAS_CORETYPE': os.environ.get('OPENBLAS_CORETYPE'),
        'OPENBLAS_L2_SIZE': os.environ.get('OPENBLAS_L2_SIZE'),
        'openblasDetected': os.environ.get('RNNKIT_BENCH_OPENBLAS_DETECTED'),
    }
    retarget_openblas_core(info['openblasCore'])
    if info['openblasThreads'] != THREADS:
        fail('OpenBLAS runs %d threads, %d were asked for' % (info['openblasThreads'], THREADS))
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    gflops = 2 * 1024 ** 3 / best / 1e9
    if gflops < MIN_BLAS_GFLOPS:
        fail('torch.mm 1024^3 reached only %.1f GFLOP/s (< %.0f): not a working OpenBLAS (%s)'
             % (gflops, MIN_BLAS_GFLOPS, ', '.join(blas_paths)))
    info['mm1024Gflops'] = round(gflops, 1)
    return info


def fill_hash(n, salt, bound):
    """protocol.ts fillHash: ((i * 2654435761 + salt * 40503) mod 2^32) / 2^32 -> (2u - 1) * bound."""
    i = torch.arange(n, dtype=torch.int64)
    u = ((i * 2654435761 + salt * 40503) & 0xFFFFFFFF).to(torch.float64) / 4294967296.0
    return ((2 * u - 1) * bound).to(torch.float32)


def fill_parameters(module, hidden_size):
    named = list(module.named_parameters())
    names = sorted(name for name, _ in named)
    with torch.no_grad():
        for name, p in named:
            p.copy_(fill_hash(p.numel(), names.index(name), 1 / math.sqrt(hidden_size)).view_as(p))


def prepare_recurrent(c):
    T, B, I, H = c['T'], c['B'], c['inputSize'], c['hiddenSize']
    D = 2 if c['bidirectional'] else 1
    ctor = {'rnn': torch.nn.RNN, 'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU}[c['cell']]
    model = ctor(I, H, num_layers=c['numLayers'], bidirectional=c['bidirectional'])
    fill_parameters(model, H)
    x = fill_hash(T * B * I, SALT['x'], 1).view(T, B, I)
    r = fill_hash(T * B * D * H, SALT['r'], 1).view(T, B, D * H)

    if c['pass'] == 'infer':
        def step():
            with torch.no_grad():
                model(x)

        def checksum():
            with torch.no_grad():
                return {'sumAbsOut': model(x)[0].abs().sum(dtype=torch.float64).item()}
        return step, checksum

    def train_step():
        model.zero_grad()
        out = model(x)[0]
        (out * r).sum().backward()
        return out

    def checksum():
        out = train_step()
        result = {'sumAbsOut': out.detach().abs().sum(dtype=torch.float64).item()}
        for name, p in model.named_parameters():
            if name in ('weight_hh_l0', 'weight_ih_l%d' % (c['numLayers'] - 1)):
                result['sumAbsGrad_' + name] = p.grad.abs().sum(dtype=torch.float64).item()
        return result
    return (lambda: train_step()), checksum


def prepare_stream(c):
    B, I, H, steps = c['B'], c['inputSize'], c['hiddenSize'], c['steps']
    cell = torch.nn.LSTMCell(I, H)
    fill_parameters(cell, H)
    xs = list(fill_hash(steps * B * I, SALT['x'], 1).view(steps, B, I).unbind(0))
    state = [(torch.zeros(B, H), torch.zeros(B, H))]

    def step():
        with torch.no_grad():
            s = state[0]
            for x in xs:
                s = cell(x, s)
            state[0] = s

    def checksum():
        state[0] = (torch.zeros(B, H), torch.zeros(B, H))
        step()
        h, c_ = state[0]
        result = {'sumAbsH': h.abs().sum(dtype=torch.float64).item(), 'sumAbsC': c_.abs().sum(dtype=torch.float64).item()}
        state[0] = (torch.zeros(B, H), torch.zeros(B, H))
        return result
    return step, checksum


def prepare_gemm(c):
    M, N, K = c['M'], c['N'], c['K']
    # Stored layouts as in run.ts: A is [K, M] when transA, B is [N, K] when transB.
    a = fill_hash(M * K, SALT['a'], 1).view(K, M) if c['transA'] else fill_hash(M * K, SALT['a'], 1).view(M, K)
    b = fill_hash(K * N, SALT['b'], 1).view(N, K) if c['transB'] else fill_hash(K * N, SALT['b'], 1).view(K, N)
    op_a = a.t() if c['transA'] else a
    op_b = b.t() if c['transB'] else b
    out = torch.zeros(M, N)

    if c['beta'] == 0:
        def step():
            torch.mm(op_a, op_b, out=out)
    else:
        def step():
            out.addmm_(op_a, op_b)

    def checksum():
        out.zero_()
        step()
        result = {'sumAbsC': out.abs().sum(dtype=torch.float64).item()}
        out.zero_()
        return result
    return step, checksum


def measure(step, plan):
    """protocol.ts measure(): warm-ups, then samples of `inner` iterations; per-iteration ms."""
    last_ms = 0.0
    for _ in range(max(1, plan['warmup'])):
        start = time.perf_counter()
        step()
        last_ms = (time.perf_counter() - start) * 1e3
        if last_ms > plan['targetMs']:
            break
    inner = max(1, math.ceil(plan['minSampleMs'] / max(last_ms, 1e-4)))
    reps = min(plan['maxReps'], max(plan['minReps'], round(plan['targetMs'] / (inner * max(last_ms, 1e-4)))))
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(inner):
            step()
        times.append((time.perf_counter() - start) * 1e3 / inner)
    return times, inner


def main():
    blas = check_openblas()
    base_rss = rss_mb()
    c = ARGS['case']
    try:
        prepare = {'recurrent': prepare_recurrent, 'stream': prepare_stream, 'gemm': prepare_gemm}[c['kind']]
        step, checksum = prepare(c)
        sums = checksum()
        times, inner = measure(step, ARGS['plan'])
    except Exception as err:  # noqa: BLE001
        fail('failed while running: %r' % err)
    emit({
        'ok': True, 'driver': 'torch', 'timesMs': times, 'medianMs': statistics.median(times), 'inner': inner,
        'checksum': sums, 'maxRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'baseRssMb': base_rss,
        'info': dict(blas, torch=torch.__version__, threads=torch.get_num_threads(),
                     interopThreads=torch.get_num_interop_threads(), python=sys.version.split()[0]),
    })


if AS_DRIVER:
    main()
