"""openmm-ada: generative models inside OpenMM.

Importing this package imports openmm and then loads the openmm-ada platform plugins (kernels for Reference,
CPU, OpenCL, CUDA) from ``pluginDirectory`` with ``openmm.Platform.loadPluginLibrary``; nothing is copied
into OpenMM's own plugin folder. A plugin that cannot load here (e.g. CUDA on a machine without a GPU driver)
is listed in ``pluginLoadFailures`` instead of raising.

    >>> import openmm, openmmada
    >>> force = openmmada.ADAForce("bias.json")
    >>> system.addForce(force)

``openmmada.GenerativeMove`` (Monte Carlo moves from a generative model) and ``openmmada.SimulationAlignment``
(ADA with biased MD as the sampler) need LibTorch: they live in the module ``openmmada.learn``, imported on first use, so that ``import openmmada`` alone does not load LibTorch.
Import ``openmmada.learn`` (or touch ``openmmada.GenerativeMove``) before deserializing XML that holds one.
``openmmada.moves`` (pure Python) makes the training data of a torsion GenerativeMove from a trajectory.
"""
import os as _os

import openmm  # must come first: our wrapper builds on the openmm module's SWIG types

from . import _config
from .openmmada import ADAForce, DataRecorder

__version__ = _config.version
pluginDirectory = _config.pluginDirectory
pluginLoadFailures = []
"""Messages (str) of the plugins in pluginDirectory that failed to load."""


def _loadPlugins(directory):
    if not _os.path.isdir(directory):
        pluginLoadFailures.append(f"{directory}: the openmm-ada plugin directory does not exist")
        return
    for name in sorted(_os.listdir(directory)):
        if not (name.startswith("lib") and name.endswith(".so")):
            continue
        path = _os.path.join(directory, name)
        try:
            openmm.Platform.loadPluginLibrary(path)
        except Exception as error:
            pluginLoadFailures.append(f"{path}: {error}")


_loadPlugins(pluginDirectory)

_LEARN_CLASSES = ("GenerativeMove", "SimulationAlignment")


def __getattr__(name):
    if name in _LEARN_CLASSES:
        from . import learn
        return getattr(learn, name)
    raise AttributeError(f"module 'openmmada' has no attribute '{name}'")


__all__ = ["ADAForce", "DataRecorder", "GenerativeMove", "SimulationAlignment", "pluginDirectory", "pluginLoadFailures"]
