"""OpenMM-side scaffolding the tests share: systems, evaluation on a platform, bundle files, platforms present."""
import json
import os
import struct

import numpy as np
import openmm
import pytest

import openmmada

BUNDLE_MAGIC = b"ADABNDL\n"


def new_system(num_particles):
    system = openmm.System()
    for _ in range(num_particles):
        system.addParticle(1.0)
    return system


def new_context(system, platform="Reference"):
    return openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName(platform))


def evaluate(context, positions, groups=-1):
    """(energy in kJ/mol, forces [N, 3] in kJ/mol/nm) of the force groups `groups`."""
    context.setPositions(positions)
    state = context.getState(getEnergy=True, getForces=True, groups=groups)
    energy = state.getPotentialEnergy().value_in_unit(openmm.unit.kilojoule_per_mole)
    forces = state.getForces(asNumpy=True).value_in_unit(openmm.unit.kilojoule_per_mole / openmm.unit.nanometer)
    return energy, np.asarray(forces)


def write_mlp_bundle(path, layers, input_shift=None, input_scale=None, version=1):
    """An MLP in the bundle format of ada_core/include/ada/io/Bundle.h: magic, uint32 version, uint64 header
    length, JSON header, float64 tensor data (little-endian, row-major)."""
    tensors, data = [], b""
    for index, (weight, bias, _) in enumerate(layers):
        for name, array in ((f"layer{index}.weight", np.asarray(weight, dtype="<f8")), (f"layer{index}.bias", np.asarray(bias, dtype="<f8"))):
            raw = np.ascontiguousarray(array).tobytes()
            tensors.append({"name": name, "dtype": "float64", "shape": list(array.shape), "offset": len(data), "nbytes": len(raw)})
            data += raw
    config = {"activations": [activation for _, _, activation in layers]}
    if input_shift is not None:
        config["input_shift"] = list(input_shift)
    if input_scale is not None:
        config["input_scale"] = list(input_scale)
    header = json.dumps({"kind": "mlp", "config": config, "tensors": tensors}).encode()
    with open(path, "wb") as out:
        out.write(BUNDLE_MAGIC + struct.pack("<IQ", version, len(header)) + header + data)
    return path


def opencl_unavailable():
    """Why the OpenCL tests cannot run here, or None. A plugin that is present but failed to load is a
    failure, not a reason to skip: the tests report it through plugin_load_failure()."""
    try:
        openmm.Platform.getPlatformByName("OpenCL")
    except Exception as error:
        return f"OpenMM's OpenCL platform is not available: {error}"
    path = os.path.join(openmmada.pluginDirectory, "libOpenMMADAOpenCL.so")
    if not os.path.exists(path):
        return f"the openmm-ada OpenCL plugin is not installed ({path} does not exist)"
    return None


def plugin_load_failure(library):
    """The load failure message of one of openmmada's plugin libraries, or None."""
    for message in openmmada.pluginLoadFailures:
        if os.path.basename(message.split(":")[0]) == library:
            return message
    return None


# Platforms compared with Reference. CPU runs the Reference kernels (CpuPlatform derives from ReferencePlatform);
# OpenCL runs the common kernels, in single precision by default.
OTHER_PLATFORMS = [
    pytest.param("CPU", id="CPU"),
    pytest.param("OpenCL", id="OpenCL", marks=pytest.mark.skipif(opencl_unavailable() is not None, reason=str(opencl_unavailable()))),
]
