"""The tests run against the installed openmmada (``cmake --install build``), or the build tree's package with
PYTHONPATH=build/python. Run them from the repository root: from python/, the source folder python/openmmada
(which has no compiled module) would shadow the package."""
import importlib.util
import os

import numpy as np
import pytest

try:
    import openmmada  # noqa: F401
except ImportError as error:
    spec = importlib.util.find_spec("openmmada")
    found = os.path.dirname(spec.origin) if spec and spec.origin else "nowhere"
    raise pytest.UsageError(f"openmmada (found in {found}) is not importable: {error}. Build and install it "
                            "(ninja -C build && cmake --install build) and run pytest from the repository root, "
                            "or set PYTHONPATH=build/python") from error


@pytest.fixture
def rng():
    return np.random.default_rng(20240611)
