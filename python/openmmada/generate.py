"""Configurations from a generative model, for Python and for an OpenMM Context.

``sample_positions`` draws samples of a model written by ``ada pretrain`` (through the ``ada sample`` command
next to this Python); ``set_context_positions`` puts one into a Context: the model's atoms get the sampled
structure (translated to their current centre), the other atoms stay where they are.

    >>> positions = openmmada.generate.sample_positions("model.adab", 100, seed=1)   # Quantity [100, N, 3] nm
    >>> openmmada.generate.set_context_positions(context, "model.adab", seed=2)
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

from openmm import unit

_MAGIC = b"ADABNDL\n"


def model_info(path):
    """The configuration stored in a model bundle: {"kind", "config", "data"} (data: atoms, scale, ...)."""
    with open(path, "rb") as f:
        if f.read(8) != _MAGIC:
            raise ValueError(f"{path}: not an openmm-ada bundle (bad magic bytes)")
        version, length = struct.unpack("<IQ", f.read(12))
        if version != 1:
            raise ValueError(f"{path}: bundle format version {version} is not supported (this build reads version 1)")
        header = json.loads(f.read(length))
    config = header.get("config", {})
    return {"kind": header.get("kind"), "config": config, "data": config.get("data", {})}


def _ada():
    return os.path.join(os.path.dirname(sys.executable), "ada")


def sample_positions(model, count, seed=0, method="rk4", steps=50):
    """``count`` configurations of the model's atoms as a Quantity of shape [count, N, 3] in nm."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "samples.npy")
        result = subprocess.run([_ada(), "sample", "--model", os.fspath(model), "--count", str(count), "--out", out,
                                 "--method", method, "--steps", str(steps), "--seed", str(seed)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(result.stderr.strip() or f"ada sample failed ({result.returncode})")
        return np.load(out) * unit.nanometer


def set_context_positions(context, model, seed=0, method="rk4", steps=50):
    """Replace the positions of the model's atoms in ``context`` by one sample; returns the new positions."""
    atoms = model_info(model)["data"].get("atoms") or None
    sample = sample_positions(model, 1, seed=seed, method=method, steps=steps).value_in_unit(unit.nanometer)[0]
    current = context.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    index = np.arange(current.shape[0]) if atoms is None else np.asarray(atoms)
    if len(index) != sample.shape[0]:
        raise ValueError(f"{model}: the model has {sample.shape[0]} atoms but selects {len(index)} of the context's")
    if index.max() >= current.shape[0]:
        raise ValueError(f"{model}: atom {index.max()} is out of range (the context has {current.shape[0]} particles)")
    current[index] = sample - sample.mean(axis=0) + current[index].mean(axis=0)
    context.setPositions(current * unit.nanometer)
    return current * unit.nanometer
