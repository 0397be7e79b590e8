"""The sweep's kernel: many runs of one network shape on one data set, trained in lockstep by numba.

Every run's arithmetic is the single-run kernel's (core/playground/kernel.py), operation for operation, so a
run in a sweep is bit-identical to the same settings trained alone. What changes is the loop order: each
example goes through every run at once, the runs in the innermost loop, so the multiply-adds of 100 runs are
vector instructions instead of 100 scalar loops, and the loop overhead is paid once. The runs share the shape,
the activation, the loss, the data and the minibatch order (the same seed); each has its own learning rate per
epoch, batch size, optimizer, penalty and initial weights. Releases the GIL: a sweep trains its blocks of runs
on several threads.
"""

import math

import numpy as np
from numba import njit

from core.playground.codes import L1, NO_PENALTY, TANH
from core.playground.kernel import _act, _dact, _loss, _offsets, optimizer_step


@njit(cache=True, nogil=True)
def _activate(code, z, a, unit, runs):
    """a[unit] = f(z[unit]) for every run. tanh in two loops, the exponentials then the rest, computed as
    the single-run kernel computes it: the second loop vectorises."""
    if code == TANH:
        for r in range(runs):
            a[unit, r] = math.exp(2.0 * z[unit, r])
        for r in range(runs):
            a[unit, r] = 1.0 - 2.0 / (a[unit, r] + 1.0)
    else:
        for r in range(runs):
            a[unit, r] = _act(code, z[unit, r])


@njit(cache=True, nogil=True)
def _forward(p, sizes, w_off, u_off, x, z, a, act, out_act):
    """One example through every run's network, keeping each unit's z and a = f(z) per run (units, R)."""
    layers = len(sizes) - 1
    runs = p.shape[1]
    for i in range(sizes[0]):
        for r in range(runs):
            a[i, r] = x[i]
    for layer in range(layers):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        w, b = w_off[layer], w_off[layer] + n_in * n_out
        src, dst = u_off[layer], u_off[layer + 1]
        code = out_act if layer == layers - 1 else act
        for j in range(n_out):
            row = w + j * n_in
            for r in range(runs):
                z[dst + j, r] = p[b + j, r]
            for i in range(n_in):
                for r in range(runs):
                    z[dst + j, r] += p[row + i, r] * a[src + i, r]
            _activate(code, z, a, dst + j, runs)


@njit(cache=True, nogil=True)
def _evaluate(p, sizes, w_off, u_off, X, T, act, out_act, loss, target_mid, z, a, losses, correct):
    """Mean loss and accuracy of every run over a set, into losses (R,) and correct (R,)."""
    runs = p.shape[1]
    top = u_off[len(sizes) - 1]
    losses[:] = 0.0
    correct[:] = 0.0
    for q in range(len(X)):
        _forward(p, sizes, w_off, u_off, X[q], z, a, act, out_act)
        for r in range(runs):
            o = a[top, r]
            losses[r] += _loss(loss, o, T[q])[0]
            correct[r] += (o > 0) == (T[q] > target_mid)
    n = max(len(X), 1)
    for r in range(runs):
        losses[r] /= n
        correct[r] /= n


@njit(cache=True, nogil=True)
def train_runs(net, data, codes, runs, perms, lrs, hyper, target_mid, metrics) -> None:
    """Train every run one epoch per row of perms, writing metrics (epochs, 4, R): train loss, test loss,
    train accuracy, test accuracy. A run whose `alive` flag is off is carried along without updates.

    net = (parameters, gradients, optimizer state 1, optimizer state 2, each (P, R); step counts (R,); layer
    sizes); data = (X, T, X_test, T_test); codes = (activation, output activation, loss);
    runs = (optimizer codes, penalty codes, penalty rates, batch sizes, alive), each (R,); lrs (epochs, R).
    """
    p, g, s1, s2, steps, sizes = net
    X, T, X_test, T_test = data
    act, out_act, loss = codes
    opt, reg, reg_rate, batch, alive = runs
    w_off, u_off = _offsets(sizes)
    layers = len(sizes) - 1
    units = u_off[len(sizes)]
    n_runs = p.shape[1]
    z, a, delta = np.empty((units, n_runs)), np.empty((units, n_runs)), np.empty((units, n_runs))
    scale = np.empty(n_runs)
    losses, correct = np.empty(n_runs), np.empty(n_runs)
    n = perms.shape[1]
    top = u_off[layers]
    for epoch in range(perms.shape[0]):
        for k in range(n):
            row_x = perms[epoch, k]
            for r in range(n_runs):
                start = k - k % batch[r]
                if k == start:  # a run's minibatch begins: its gradient starts from zero
                    g[:, r] = 0.0
                scale[r] = 1.0 / (min(start + batch[r], n) - start)
            _forward(p, sizes, w_off, u_off, X[row_x], z, a, act, out_act)
            for r in range(n_runs):
                d_out = _loss(loss, a[top, r], T[row_x])[1]
                delta[top, r] = d_out * scale[r] * _dact(out_act, z[top, r], a[top, r])
            for layer in range(layers - 1, -1, -1):
                n_in, n_out = sizes[layer], sizes[layer + 1]
                w, b = w_off[layer], w_off[layer] + n_in * n_out
                src, dst = u_off[layer], u_off[layer + 1]
                for i in range(n_in):
                    for r in range(n_runs):
                        delta[src + i, r] = 0.0
                for j in range(n_out):
                    row = w + j * n_in
                    for r in range(n_runs):
                        g[b + j, r] += delta[dst + j, r]
                    for i in range(n_in):
                        for r in range(n_runs):
                            g[row + i, r] += delta[dst + j, r] * a[src + i, r]
                            delta[src + i, r] += p[row + i, r] * delta[dst + j, r]
                if layer > 0:
                    for i in range(n_in):
                        for r in range(n_runs):
                            delta[src + i, r] *= _dact(act, z[src + i, r], a[src + i, r])
            for r in range(n_runs):
                if not alive[r] or k != min(k - k % batch[r] + batch[r], n) - 1:
                    continue  # the run's minibatch goes on (or the run diverged)
                if reg[r] != NO_PENALTY:
                    for layer in range(layers):
                        w = w_off[layer]
                        for q in range(w, w + sizes[layer] * sizes[layer + 1]):
                            if reg[r] == L1:
                                g[q, r] += reg_rate[r] * np.sign(p[q, r])
                            else:
                                g[q, r] += reg_rate[r] * p[q, r]
                optimizer_step(
                    p[:, r], g[:, r], s1[:, r], s2[:, r], steps[r : r + 1], lrs[epoch, r], opt[r], hyper
                )
        for which in range(2):
            data_x, data_t = (X, T) if which == 0 else (X_test, T_test)
            _evaluate(
                p, sizes, w_off, u_off, data_x, data_t, act, out_act, loss, target_mid, z, a, losses, correct
            )
            for r in range(n_runs):
                metrics[epoch, which, r] = losses[r]
                metrics[epoch, 2 + which, r] = correct[r]
