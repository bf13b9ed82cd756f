"""Writing bias specifications (DESIGN.md §4) from Python.

A specification is a temperature and a list of terms, each an observable o_i (a dict such as
``{"type": "distance", "atoms": [0, 5]}``) and a dimensionless function f_i; an ADAForce built from it has
the energy U = ada_lambda * kT * sum_i f_i(o_i(x)).

    >>> from openmmada import bias
    >>> r = numpy.linspace(0.1, 1.0, 200)
    >>> term = bias.spline_term({"type": "distance", "atoms": [0, 5]}, r, 50.0 * (r - 0.4) ** 2)
    >>> bias.write_bias("bias.json", [term], temperature=300.0)
    >>> force = openmmada.ADAForce("bias.json")
"""
import json
import math
import os

import numpy as np

_ACTIVATIONS = ("tanh", "relu", "silu", "softplus", "linear")


def _numbers(values, name):
    """A flat list of finite floats (numpy arrays and sequences alike)."""
    if hasattr(values, "tolist"):
        values = values.tolist()
    out = [float(v) for v in values]
    for i, v in enumerate(out):
        if not math.isfinite(v):
            raise ValueError(f"{name}[{i}] is {v}: a bias specification holds finite numbers only")
    return out


def spline_term(observable, grid, values, periodic=None):
    """A term f(o) = cubic spline through (grid[k], values[k]), values in kT.

    ``grid`` must be strictly increasing (nm for distances and Rg, radians for angles). ``periodic=None``
    leaves the choice to the plugin: periodic for angle observables (then the grid spans one period, 2 pi,
    and values[-1] == values[0]), natural and constant beyond the grid otherwise.
    """
    grid = _numbers(grid, "grid")
    values = _numbers(values, "values")
    if len(grid) != len(values):
        raise ValueError(f"grid has {len(grid)} points but values has {len(values)}")
    if any(b <= a for a, b in zip(grid, grid[1:])):
        raise ValueError("grid must be strictly increasing")
    function = {"type": "spline", "grid": grid, "values": values}
    if periodic is not None:
        function["periodic"] = bool(periodic)
    return {"observable": dict(observable), "function": function}


def mlp_term(observable, layers, input_shift=None, input_scale=None):
    """A term f(o) = MLP(o) in kT, weights inline.

    ``layers`` is a list of (weight [out, in], bias [out], activation) with activation one of tanh, relu,
    silu, softplus, linear; the last layer has one output. The input is standardised first:
    h_0 = (o - input_shift) / input_scale.

    A layer may be a 2-D convolution of the previous output read as an image [C, H, W] (row-major): then it is
    (weight [C_out, C, k, k], bias [C_out], activation, {"input": [C, H, W], "stride": s, "padding": p}), with
    output [C_out, (H + 2p - k) // s + 1, (W + 2p - k) // s + 1]; stride defaults to 1 and padding to (k - 1) // 2.
    """
    encoded = []
    for index, layer in enumerate(layers):
        if len(layer) not in (3, 4):
            raise ValueError(f"layers[{index}]: expected (weight, bias, activation) or (weight, bias, activation, convolution)")
        weight, bias, activation = layer[:3]
        if activation not in _ACTIVATIONS:
            raise ValueError(f"layers[{index}]: unknown activation {activation!r} (expected one of {', '.join(_ACTIVATIONS)})")
        convolution = None
        if len(layer) == 4:
            kernel = np.asarray(weight, dtype=float)
            if kernel.ndim != 4 or kernel.shape[2] != kernel.shape[3]:
                raise ValueError(f"layers[{index}]: a convolution's weight must be [C_out, C_in, k, k], got shape {kernel.shape}")
            convolution = {"input": [int(v) for v in layer[3]["input"]], "kernel": int(kernel.shape[2])}
            for key in ("stride", "padding"):
                if key in layer[3]:
                    convolution[key] = int(layer[3][key])
            weight = kernel.reshape(kernel.shape[0], -1)
        rows = weight.tolist() if hasattr(weight, "tolist") else weight
        encoded.append({"weight": [_numbers(row, f"layers[{index}].weight[{r}]") for r, row in enumerate(rows)],
                        "bias": _numbers(bias, f"layers[{index}].bias"),
                        "activation": activation})
        if convolution is not None:
            encoded[-1]["convolution"] = convolution
    function = {"type": "mlp", "layers": encoded}
    if input_shift is not None:
        function["input_shift"] = _numbers(input_shift, "input_shift")
    if input_scale is not None:
        function["input_scale"] = _numbers(input_scale, "input_scale")
    return {"observable": dict(observable), "function": function}


def bias_spec(terms, temperature):
    """The specification as a dict; ``temperature`` in K (a float or an openmm.unit temperature)."""
    if hasattr(temperature, "value_in_unit"):
        from openmm import unit
        temperature = temperature.value_in_unit(unit.kelvin)
    temperature = float(temperature)
    if not temperature > 0:
        raise ValueError(f"temperature must be positive (K), got {temperature}")
    return {"temperature": temperature, "terms": list(terms)}


def write_bias(path, terms, temperature):
    """Write a specification to ``path`` (JSON) and return the path.

    The file is written next to its destination and renamed into place, so a failed write never leaves a
    truncated specification behind.
    """
    text = json.dumps(bias_spec(terms, temperature), indent=1, allow_nan=False)
    path = os.fspath(path)
    temporary = path + ".tmp"
    with open(temporary, "w") as out:
        out.write(text)
    os.replace(temporary, path)
    return path
