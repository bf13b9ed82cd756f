"""openmm-ada: generative models inside OpenMM.

Importing this package imports openmm and then loads the openmm-ada platform plugins (kernels for Reference,
CPU, OpenCL, CUDA) from ``pluginDirectory`` with ``openmm.Platform.loadPluginLibrary``; nothing is copied
into OpenMM's own plugin folder. A plugin that cannot load here (e.g. CUDA on a machine without a GPU driver)
is listed in ``pluginLoadFailures`` instead of raising.

    >>> import openmm, openmmada
    >>> force = openmmada.ADAForce("bias.json")
    >>> system.addForce(force)
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

__all__ = ["ADAForce", "DataRecorder", "pluginDirectory", "pluginLoadFailures"]
