"""Bad input gives an openmm.OpenMMException whose message names the file, the field and the problem, and
changes nothing (DESIGN.md §4, §6)."""
import json
import math

import numpy as np
import openmm
import pytest

import openmmada
from harness import new_context, new_system, write_mlp_bundle

DISTANCE = {"type": "distance", "atoms": [0, 1]}
SPLINE = {"type": "spline", "grid": [0.1, 0.2, 0.3, 0.4], "values": [1.0, 0.5, 0.2, 0.0]}


def write_json(path, spec):
    """JSON as Python's json writes it: a NaN becomes the bare word NaN, which is not JSON."""
    path.write_text(json.dumps(spec))
    return str(path)


def spec_with(observable=DISTANCE, function=SPLINE):
    return {"temperature": 300.0, "terms": [{"observable": observable, "function": function}]}


def load_error(path):
    with pytest.raises(openmm.OpenMMException) as error:
        openmmada.ADAForce(path)
    return str(error.value)


def test_missing_file(tmp_path):
    path = str(tmp_path / "absent.json")
    message = load_error(path)
    assert path in message and "cannot open" in message


def test_malformed_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"temperature": 300.0, "terms": [')
    message = load_error(str(path))
    assert str(path) in message and "malformed JSON" in message


def test_unknown_observable_type(tmp_path):
    message = load_error(write_json(tmp_path / "b.json", spec_with(observable={"type": "banana", "atoms": [0, 1]})))
    assert 'terms[0].observable.type' in message and 'unknown observable type "banana"' in message


def test_unknown_function_type(tmp_path):
    message = load_error(write_json(tmp_path / "b.json", spec_with(function={"type": "fourier", "coefficients": [1.0]})))
    assert 'terms[0].function.type' in message and 'unknown function type "fourier"' in message


def test_atom_index_out_of_range_is_reported_when_the_context_is_created(tmp_path):
    force = openmmada.ADAForce(write_json(tmp_path / "b.json", spec_with(observable={"type": "distance", "atoms": [0, 7]})))
    system = new_system(3)
    system.addForce(force)
    with pytest.raises(openmm.OpenMMException) as error:
        new_context(system)
    message = str(error.value)
    assert "atom index 7 is out of range" in message and "3 particles" in message


def test_negative_atom_index(tmp_path):
    message = load_error(write_json(tmp_path / "b.json", spec_with(observable={"type": "distance", "atoms": [0, -2]})))
    assert "observable.atoms[1]" in message and "non-negative atom index" in message


def test_spline_grid_not_increasing(tmp_path):
    function = dict(SPLINE, grid=[0.1, 0.3, 0.2, 0.4])
    message = load_error(write_json(tmp_path / "b.json", spec_with(function=function)))
    assert "grid" in message and "strictly increasing" in message and "grid[2]" in message


def test_nan_in_values_is_malformed_json(tmp_path):
    path = write_json(tmp_path / "b.json", spec_with(function=dict(SPLINE, values=[1.0, math.nan, 0.2, 0.0])))
    assert "NaN" in open(path).read()
    message = load_error(path)
    assert path in message and "malformed JSON" in message


def test_null_in_values(tmp_path):
    message = load_error(write_json(tmp_path / "b.json", spec_with(function=dict(SPLINE, values=[1.0, 0.5, None, 0.0]))))
    assert "function.values[2]" in message and "null" in message


def test_mlp_bundle_of_another_format_version(tmp_path):
    layers = [(np.ones((1, 1)), np.zeros(1), "linear")]
    write_mlp_bundle(tmp_path / "critic.adab", layers, version=7)
    message = load_error(write_json(tmp_path / "b.json", spec_with(function={"type": "mlp", "file": "critic.adab"})))
    assert "critic.adab" in message and "format version 7 is not supported" in message


def test_mlp_bundle_that_is_not_a_bundle(tmp_path):
    (tmp_path / "critic.adab").write_bytes(b"PK\x03\x04 a zip file, perhaps a TorchScript archive")
    message = load_error(write_json(tmp_path / "b.json", spec_with(function={"type": "mlp", "file": "critic.adab"})))
    assert "critic.adab" in message and "bad magic" in message


def test_function_input_dimension_must_match_the_observable(tmp_path):
    function = {"type": "mlp", "layers": [{"weight": [[1.0, 2.0]], "bias": [0.0], "activation": "linear"}]}
    message = load_error(write_json(tmp_path / "b.json", spec_with(function=function)))
    assert "terms[0]" in message and "2 input(s)" in message and "dimension 1" in message


def test_a_failed_load_changes_nothing(tmp_path):
    good = write_json(tmp_path / "good.json", spec_with())
    force = openmmada.ADAForce(good)
    before = force.getBiasJSON()
    bad = write_json(tmp_path / "bad.json", spec_with(function=dict(SPLINE, grid=[0.4, 0.3, 0.2, 0.1])))
    with pytest.raises(openmm.OpenMMException, match="strictly increasing"):
        force.setBiasFromFile(bad)
    with pytest.raises(openmm.OpenMMException, match="malformed JSON"):
        force.setBiasFromJSON("{")
    assert force.getBiasJSON() == before and force.getNumTerms() == 1


def test_exceptions_are_python_exceptions(tmp_path):
    assert issubclass(openmm.OpenMMException, Exception)
    with pytest.raises(Exception, match="cannot open"):
        openmmada.ADAForce(str(tmp_path / "absent.json"))
