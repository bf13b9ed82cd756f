"""openmmada.bias writes specifications that ADAForce reads back as written."""
import json
import os

import numpy as np
import openmm
import pytest

import openmmada
from openmmada import bias


def test_written_specification_reads_back(tmp_path):
    grid = np.linspace(-np.pi, np.pi, 13)
    layers = [(np.array([[0.5], [-1.0]]), np.array([0.1, 0.2]), "tanh"), ([[1.0, 2.0]], [0.0], "linear")]
    terms = [bias.spline_term({"type": "dihedral", "atoms": [0, 1, 2, 3]}, grid, np.cos(grid)),
             bias.mlp_term({"type": "distance", "atoms": [0, 3]}, layers, input_shift=[0.3], input_scale=np.array([0.1]))]
    path = bias.write_bias(tmp_path / "bias.json", terms, 300.0 * openmm.unit.kelvin)
    assert path == str(tmp_path / "bias.json") and not os.path.exists(path + ".tmp")

    written = json.load(open(path))
    assert written["temperature"] == 300.0
    spline, mlp = written["terms"][0]["function"], written["terms"][1]["function"]
    assert spline["grid"] == grid.tolist() and spline["values"] == np.cos(grid).tolist() and "periodic" not in spline
    assert mlp["layers"][0] == {"weight": [[0.5], [-1.0]], "bias": [0.1, 0.2], "activation": "tanh"}
    assert mlp["layers"][1]["weight"] == [[1.0, 2.0]] and mlp["input_shift"] == [0.3] and mlp["input_scale"] == [0.1]

    force = openmmada.ADAForce(path)
    assert (force.getNumTerms(), force.getTemperature()) == (2, 300.0)
    # An angle observable makes the spline periodic unless the specification says otherwise.
    assert json.loads(force.getBiasJSON())["terms"][0]["function"]["periodic"] is True


def test_periodic_flag_is_written_when_given():
    term = bias.spline_term({"type": "distance", "atoms": [0, 1]}, [0.0, 1.0], [0.0, 1.0], periodic=False)
    assert term["function"]["periodic"] is False


@pytest.mark.parametrize("grid, values, message", [
    ([0.0, 1.0, 2.0], [0.0, float("nan"), 1.0], r"values\[1\] is nan"),
    ([0.0, 1.0, 2.0], [0.0, float("inf"), 1.0], r"values\[1\] is inf"),
    ([0.0, 1.0, 2.0], [0.0, 1.0], "3 points but values has 2"),
    ([0.0, 2.0, 1.0], [0.0, 1.0, 2.0], "strictly increasing"),
])
def test_spline_term_rejects_bad_tables(grid, values, message):
    with pytest.raises(ValueError, match=message):
        bias.spline_term({"type": "distance", "atoms": [0, 1]}, grid, values)


def test_mlp_term_rejects_unknown_activation_and_nan_weights():
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        bias.mlp_term({"type": "rg", "atoms": [0, 1]}, [([[1.0]], [0.0], "gelu")])
    with pytest.raises(ValueError, match=r"layers\[0\].weight\[0\]\[0\] is nan"):
        bias.mlp_term({"type": "rg", "atoms": [0, 1]}, [([[float("nan")]], [0.0], "linear")])


def test_write_bias_rejects_a_non_positive_temperature_and_leaves_no_file(tmp_path):
    with pytest.raises(ValueError, match="temperature must be positive"):
        bias.write_bias(tmp_path / "bias.json", [], 0.0)
    assert os.listdir(tmp_path) == []


def test_mlp_term_writes_a_convolution_layer_and_checks_its_kernel():
    kernel = np.arange(18.0).reshape(2, 1, 3, 3)
    term = bias.mlp_term({"type": "contact_map", "atoms": [0, 1, 2, 3], "r0": 0.5},
                         [(kernel, [0.0, 1.0], "tanh", {"input": [1, 4, 4], "stride": 2}), (np.ones((1, 8)), [0.0], "linear")])
    layer = term["function"]["layers"][0]
    assert layer["convolution"] == {"input": [1, 4, 4], "kernel": 3, "stride": 2}
    assert layer["weight"] == [list(range(9)), list(range(9, 18))]
    with pytest.raises(ValueError, match=r"layers\[0\]: a convolution's weight must be \[C_out, C_in, k, k\]"):
        bias.mlp_term({"type": "rg", "atoms": [0, 1]}, [(np.ones((2, 9)), [0.0, 0.0], "tanh", {"input": [1, 3, 3]})])
