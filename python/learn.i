// openmmada.learn: the plugin classes that need LibTorch (libOpenMMADALearn), in a module of their own so that
// `import openmmada` does not load LibTorch; openmmada.GenerativeMove imports this module on first use.
// Like openmmada.i it builds on the openmm module's SWIG types (one shared SWIG runtime).
%module(package="openmmada", docstring="openmm-ada classes that need LibTorch (GenerativeMove: Monte Carlo moves proposed by a generative model; SimulationAlignment: ADA with biased MD as the sampler).") learn

%import(module="openmm") "swig/OpenMMSwigHeaders.i"
%include "swig/typemaps.i"
%include <std_string.i>

%{
#include <climits>
#include <exception>

#include "OpenMM.h"
#include "OpenMMAmoeba.h"
#include "OpenMMDrude.h"
#include "openmm/RPMDIntegrator.h"
#include "openmm/RPMDMonteCarloBarostat.h"
#include "GenerativeMove.h"
#include "SimulationAlignment.h"
%}

%include "PluginTypemaps.i"

// Model file arguments also accept os.PathLike; the model bytes are Python bytes.
%pythonprepend OpenMMADA::GenerativeMove::GenerativeMove %{
    import os
    if len(args) >= 1 and isinstance(args[0], os.PathLike):
        args = (os.fspath(args[0]),) + tuple(args[1:])
%}
%pythonprepend OpenMMADA::GenerativeMove::setModelFile %{
    import os
    modelFile = os.fspath(modelFile)
%}
%pythonappend OpenMMADA::GenerativeMove::cast %{
    val._ada_owner = force
%}
// getTorsionParameters(index) returns [p1, p2, p3, p4, rotatedAtoms, windowStart] (windowStart in radians).
%include <typemaps.i>
%apply int& OUTPUT { int& p1, int& p2, int& p3, int& p4 };
%apply double& OUTPUT { double& windowStart };
%typemap(in, numinputs=0) std::vector<int>& rotated (std::vector<int> temp) {
    $1 = &temp;
}
%typemap(argout) std::vector<int>& rotated {
    PyObject* list = PyList_New(static_cast<Py_ssize_t>($1->size()));
    for (size_t i = 0; i < $1->size(); ++i)
        PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), PyLong_FromLong((*$1)[i]));
    $result = SWIG_Python_AppendOutput($result, list, $isvoid);
}
%typemap(out) const std::string& getModelBytes {
    $result = PyBytes_FromStringAndSize($1->data(), static_cast<Py_ssize_t>($1->size()));
}
%typemap(in) const std::string& bytes (std::string buffer) {
    char* data = NULL;
    Py_ssize_t size = 0;
    if (PyBytes_AsStringAndSize($input, &data, &size) < 0)
        SWIG_fail;
    buffer.assign(data, static_cast<size_t>(size));
    $1 = &buffer;
}
%typemap(freearg) const std::string& bytes ""
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) const std::string& bytes {
    $1 = PyBytes_Check($input) ? 1 : 0;
}

%feature("docstring") OpenMMADA::GenerativeMove "Monte Carlo moves proposed by a generative model (DESIGN.md 3.6).

    move = openmmada.GenerativeMove('model.adab', atoms, 100)   # every 100 steps, at 300 K
    system.addForce(move)
    ...
    move.getNumAccepted(context) / move.getNumAttempted(context)

Every `frequency` steps, new positions of `atoms` are drawn from the flow-matching model (a file written by
`ada pretrain`) and accepted with the Metropolis-Hastings probability min(1, pi(x')Q(x'->x) / (pi(x)Q(x->x'))),
pi the Boltzmann distribution of the whole System at `temperature` (K) and Q the model's exact proposal
density; accepted moves redraw the moved atoms' velocities. MD + moves samples the System's own ensemble.
The moved atoms must not be constrained. The model is embedded in the force (and its XML). Get it back from
System.getForce(i) or XmlSerializer.deserialize with GenerativeMove.cast(force).

Torsion moves: give no atoms and a model of K angles (ada pretrain on a [frames, K] array, e.g. from
openmmada.moves.torsion_angles), then add the K torsions in the order of the data's columns:

    move = openmmada.GenerativeMove('torsions.adab', [], 100)
    move.addTorsion(14, 8, 6, 4, [0, 1, 2, 3, 4, 5, 7], -2.8)   # rotate atoms 0-5, 7 about the 8-6 bond

A move rotates each torsion's rotated atoms about its central bond to a model sample; constraints that the
rotations keep are allowed, and accepted moves redraw every velocity and then apply the constraints.";
%feature("docstring") OpenMMADA::GenerativeMove::setAtoms "Set the moved particle indices (empty: the model's atoms, or all particles).";
%feature("docstring") OpenMMADA::GenerativeMove::addTorsion "addTorsion(p1, p2, p3, p4, rotatedAtoms, windowStart=-pi) -> index

Add the torsion p1-p2-p3-p4, moved by rotating rotatedAtoms (the atoms on p4's side of the p2-p3 bond) about
the p2-p3 bond. windowStart (radians, or an openmm.unit angle): the angle is represented in
[windowStart, windowStart + 2 pi), as in the model's training data.";
%feature("docstring") OpenMMADA::GenerativeMove::getTorsionParameters "getTorsionParameters(index) -> [p1, p2, p3, p4, rotatedAtoms, windowStart]; windowStart in radians (a float).";
%feature("docstring") OpenMMADA::GenerativeMove::setTorsionParameters "setTorsionParameters(index, p1, p2, p3, p4, rotatedAtoms, windowStart): replace a torsion (see addTorsion).";
%feature("docstring") OpenMMADA::GenerativeMove::setFrequency "Set the number of steps between move attempts (> 0).";
%feature("docstring") OpenMMADA::GenerativeMove::setTemperature "Set the temperature of the target and of the redrawn velocities (K).";
%feature("docstring") OpenMMADA::GenerativeMove::setAttemptsPerMove "Set the Metropolis-Hastings attempts per move step (>= 1), all made one after the other.";
%feature("docstring") OpenMMADA::GenerativeMove::setBatchSize "Set the candidates drawn from the model per batch (>= 1).";
%feature("docstring") OpenMMADA::GenerativeMove::setTolerance "Set the tolerance of the model's ODE solves.";
%feature("docstring") OpenMMADA::GenerativeMove::setRandomNumberSeed "Set the seed of proposals, acceptance tests and velocities (0: a new seed each Context).";

%copyctor OpenMMADA::GenerativeMove;
%include "GenerativeMove.h"

namespace OpenMMADA {
%extend GenerativeMove {
    /** The GenerativeMove behind a Force (e.g. from System.getForce or XmlSerializer.deserialize); raises if it is another kind. */
    static OpenMMADA::GenerativeMove& cast(OpenMM::Force& force) {
        OpenMMADA::GenerativeMove* move = dynamic_cast<OpenMMADA::GenerativeMove*>(&force);
        if (move == NULL)
            throw OpenMM::OpenMMException("GenerativeMove.cast: the Force is not a GenerativeMove");
        return *move;
    }
    /** Whether a Force is a GenerativeMove. */
    static bool isinstance(OpenMM::Force& force) {
        return dynamic_cast<OpenMMADA::GenerativeMove*>(&force) != NULL;
    }

    %pythoncode %{
    def __copy__(self):
        import copy
        duplicate = GenerativeMove(self)
        for key, value in self.__dict__.items():
            if key not in ("this", "_ada_owner"):
                setattr(duplicate, key, copy.deepcopy(value))
        return duplicate

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __setstate__(self, serializationString):
        self.__init__(GenerativeMove.cast(openmm.XmlSerializer.deserialize(serializationString)))
    %}
}
}

// SimulationAlignment (openmmapi/include/SimulationAlignment.h) is declared here by hand: its header speaks
// LibTorch and nlohmann types that Python does not need. The constructor takes the observable specification
// file that `ada align` reads, and the options as keywords.
%feature("kwargs") OpenMMADA::SimulationAlignment::SimulationAlignment;
%feature("docstring") OpenMMADA::SimulationAlignment "Align a simulation itself to distributions of experimental observables (ADA with biased MD as the sampler, DESIGN.md 3.3).

SimulationAlignment(context, force, observablesFile, beta=20.0, framesPerRound=1000, stepsPerFrame=50,
                    equilibrationSteps=1000, criticWarmup=1000, criticSteps=200, penalty=100.0,
                    criticLearningRate=0.01, hidden=64, layers=2, folder='.', seed=0)

    force = openmmada.ADAForce()          # an empty bias, added before the Context is made
    system.addForce(force)
    context = openmm.Context(system, integrator)
    ...
    alignment = openmmada.SimulationAlignment(context, force, 'observables.json', beta=20)
    for r in range(10):
        gaps = alignment.round()          # E_q f_i - E_exp f_i per observable, of this round's frames
    json.loads(alignment.getBias())       # the bias specification in force (also in force's XML)

observables.json is the file of `ada align`: {'temperature': 300, 'observables': [{'name': ..., 'observable':
{...}, 'data': 'samples.npy'}, ...]}, atom indices of the System. Each round runs equilibrationSteps MD steps
under the current bias, records framesPerRound frames stepsPerFrame apart, updates one critic per observable on
the concave dual of the ADA saddle (the frames reweighted from the biased to the tilted ensemble), and swaps
the exported critics into the force (updateParametersInContext). MD under the final bias samples the base
ensemble tilted by exp(-beta sum_i f_i(o_i)), the ADA solution. Critic options: criticWarmup updates in the
first round, criticSteps in later ones, gradient-penalty weight penalty, Adam learning rate criticLearningRate,
MLP width hidden and depth layers; seed seeds the critics; criticAverage > 0 exports the moving average of the
critics' weights (decay criticAverage, after every update) instead of the last ones. Critics of multi-dimensional observables are written
as MLP files into folder.";
%feature("docstring") OpenMMADA::SimulationAlignment::round "round() -> list of the critic gaps (one per observable) of this round's frames, measured before the update.";
%feature("docstring") OpenMMADA::SimulationAlignment::getBias "getBias() -> the bias specification in force now (a JSON string; empty terms before the first round).";
%feature("docstring") OpenMMADA::SimulationAlignment::getRounds "getRounds() -> the number of rounds done.";
%feature("docstring") OpenMMADA::SimulationAlignment::getTemperature "getTemperature() -> the bias temperature (K), from the observable specification.";
// The alignment refers to the Context and the force: it keeps their Python objects alive. The file may be a PathLike.
%pythonprepend OpenMMADA::SimulationAlignment::SimulationAlignment %{
    import os
    args = tuple(os.fspath(a) if i == 2 and isinstance(a, os.PathLike) else a for i, a in enumerate(args))
    if isinstance(kwargs.get("observablesFile"), os.PathLike):
        kwargs["observablesFile"] = os.fspath(kwargs["observablesFile"])
%}
%pythonappend OpenMMADA::SimulationAlignment::SimulationAlignment %{
    self._ada_keep = (args, kwargs)
%}
namespace OpenMMADA {
%nodefaultctor SimulationAlignment;
class SimulationAlignment {
public:
    ~SimulationAlignment();
};
%extend SimulationAlignment {
    SimulationAlignment(OpenMM::Context& context, OpenMM::Force& force, const std::string& observablesFile, double beta = 20.0,
                        int framesPerRound = 1000, int stepsPerFrame = 50, int equilibrationSteps = 1000, int criticWarmup = 1000,
                        int criticSteps = 200, double penalty = 100.0, double criticLearningRate = 1e-2, int hidden = 64,
                        int layers = 2, const std::string& folder = ".", int seed = 0, double criticAverage = 0.0) {
        OpenMMADA::ADAForce* bias = dynamic_cast<OpenMMADA::ADAForce*>(&force);
        if (bias == NULL)
            throw OpenMM::OpenMMException("SimulationAlignment: the force is not an ADAForce");
        if (seed < 0)
            throw OpenMM::OpenMMException("SimulationAlignment: expected a seed >= 0");
        OpenMMADA::SimulationAlignmentOptions options;
        options.framesPerRound = framesPerRound;
        options.stepsPerFrame = stepsPerFrame;
        options.equilibrationSteps = equilibrationSteps;
        options.criticWarmup = criticWarmup;
        options.critics.beta = beta;
        options.critics.steps = criticSteps;
        options.critics.penalty = penalty;
        options.critics.learningRate = criticLearningRate;
        options.critics.hidden = hidden;
        options.critics.layers = layers;
        options.critics.seed = static_cast<uint64_t>(seed);
        options.critics.average = criticAverage;
        options.folder = folder;
        return new OpenMMADA::SimulationAlignment(context, *bias, observablesFile, options);
    }
    PyObject* round() {
        const std::vector<double> gaps = self->round();
        PyObject* list = PyList_New(static_cast<Py_ssize_t>(gaps.size()));
        for (size_t i = 0; i < gaps.size(); ++i)
            PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), PyFloat_FromDouble(gaps[i]));
        return list;
    }
    std::string getBias() const { return self->bias().dump(); }
    int getRounds() const { return self->rounds(); }
    double getTemperature() const { return self->temperature(); }
}
}
