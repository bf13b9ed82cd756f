"""The toy of the ADA alignment tests (test_align_cli.py, test_simulation_alignment.py): one particle in an
isotropic harmonic well whose Boltzmann distribution is N(0, SD² I) nm at TEMPERATURE, and an "experiment" that
observes x ~ N(TARGET_MEAN, TARGET_SD²)."""
import numpy as np

TEMPERATURE = 300.0
KT = 0.00831446261815324 * TEMPERATURE  # kJ/mol
SD = 0.1                                # nm, base standard deviation per axis
TARGET_MEAN, TARGET_SD = 0.04, 0.08


def well_system():
    """(System, well force): the particle (mass 1) and its harmonic well, no bias yet."""
    import openmm

    system = openmm.System()
    system.addParticle(1.0)
    well = openmm.CustomExternalForce("0.5*k*(x^2+y^2+z^2)")
    well.addGlobalParameter("k", KT / SD**2)
    well.addParticle(0, [])
    system.addForce(well)
    return system, well


def w1(a, b):
    """Exact W1 between two equally large 1-D samples."""
    return float(np.mean(np.abs(np.sort(a) - np.sort(b))))
