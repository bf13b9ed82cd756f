// The openmmada Python module: the plugin's public classes, built on the openmm module's own SWIG types.
//
// Objects pass between the two modules (System.addForce(ADAForce), XmlSerializer, System.getForce) only
// because both register their types in one SWIG runtime type table; python/CMakeLists.txt checks that
// this SWIG's runtime version is the one the openmm module was generated with.
%module(package="openmmada", docstring="OpenMM plugin classes of openmm-ada (ADAForce: a learned bias force; DataRecorder: MD frames into an NPY dataset).") openmmada

%import(module="openmm") "swig/OpenMMSwigHeaders.i"
%include "swig/typemaps.i"
%include <std_string.i>

%{
#include <cctype>
#include <climits>
#include <exception>

// The imported class hierarchy names every OpenMM class, plugins' included (for SWIG's pointer casts).
#include "OpenMM.h"
#include "OpenMMAmoeba.h"
#include "OpenMMDrude.h"
#include "openmm/RPMDIntegrator.h"
#include "openmm/RPMDMonteCarloBarostat.h"
#include "ADAForce.h"
#include "DataRecorder.h"
#include "ada/io/Dataset.h"
#include "ada/io/Npy.h"
%}

%include "PluginTypemaps.i"

// File arguments also accept os.PathLike (pathlib.Path); a JSON specification may be given as a dict.
%pythonprepend OpenMMADA::ADAForce::ADAForce %{
    import os
    if len(args) == 1 and isinstance(args[0], os.PathLike):
        args = (os.fspath(args[0]),)
%}
%pythonprepend OpenMMADA::ADAForce::setBiasFromFile %{
    import os
    file = os.fspath(file)
%}
%pythonprepend OpenMMADA::ADAForce::setBiasFromJSON %{
    if args and isinstance(args[0], dict):
        import json
        args = (json.dumps(args[0]),) + args[1:]
    if len(args) == 2:
        import os
        args = (args[0], os.fspath(args[1]))
%}
// cast() returns a view of a Force owned elsewhere (a System, or the proxy returned by XmlSerializer):
// the view keeps that owner alive.
%pythonappend OpenMMADA::ADAForce::cast %{
    val._ada_owner = force
%}

%feature("docstring") OpenMMADA::ADAForce "A learned bias:

    U(x) = ada_lambda * kT * sum_i f_i(o_i(x))   (kJ/mol),

with observables o_i and dimensionless functions f_i from a bias specification (JSON), kT = R*T for the
specification's temperature, and the global parameter ada_lambda (default 1). Add it to a System like any
Force; get it back from System.getForce(i) or XmlSerializer.deserialize with ADAForce.cast(force).
File arguments take str or os.PathLike; setBiasFromJSON also takes the specification as a dict.";

// Setters the header documents together with their getters.
%feature("docstring") OpenMMADA::ADAForce::setDefaultLambda "Set the default value of ada_lambda (dimensionless) for new Contexts.";
%feature("docstring") OpenMMADA::ADAForce::setLambdaDerivativeRequested
    "Set whether the Context reports dU/d(ada_lambda) (kJ/mol) in State.getEnergyParameterDerivatives().";
%feature("docstring") OpenMMADA::ADAForce::setUsesPeriodicBoundaryConditions
    "Set whether observables use the minimum image convention in the periodic box of the Context.";

%copyctor OpenMMADA::ADAForce;
#define OPENMM_EXPORT_ADA
%include "ADAForce.h"

namespace OpenMMADA {
%extend ADAForce {
    /** The ADAForce behind a Force (e.g. from System.getForce or XmlSerializer.deserialize); raises if it is another kind. */
    static OpenMMADA::ADAForce& cast(OpenMM::Force& force) {
        OpenMMADA::ADAForce* ada = dynamic_cast<OpenMMADA::ADAForce*>(&force);
        if (ada == NULL)
            throw OpenMM::OpenMMException("ADAForce.cast: the Force is not an ADAForce");
        return *ada;
    }
    /** Whether a Force is an ADAForce. */
    static bool isinstance(OpenMM::Force& force) {
        return dynamic_cast<OpenMMADA::ADAForce*>(&force) != NULL;
    }

    // openmm.Force copies and unpickles through XmlSerializer, which yields a plain Force; an ADAForce
    // copies itself (the C++ copy constructor) so the result is an ADAForce that owns its object.
    %pythoncode %{
    def __copy__(self):
        import copy
        duplicate = ADAForce(self)
        for key, value in self.__dict__.items():
            if key not in ("this", "_ada_owner"):
                setattr(duplicate, key, copy.deepcopy(value))
        return duplicate

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __setstate__(self, serializationString):
        self.__init__(ADAForce.cast(openmm.XmlSerializer.deserialize(serializationString)))
    %}
}
}

%pythonprepend OpenMMADA::DataRecorder::DataRecorder %{
    import os
    if len(args) >= 1 and isinstance(args[0], os.PathLike):
        args = (os.fspath(args[0]),) + tuple(args[1:])
%}
%pythonprepend OpenMMADA::DataRecorder::setFile %{
    import os
    file = os.fspath(file)
%}
%pythonappend OpenMMADA::DataRecorder::cast %{
    val._ada_owner = force
%}

%feature("docstring") OpenMMADA::DataRecorder "Records MD frames into an NPY dataset: the positions of chosen atoms
(all when none are given) every `frequency` steps, float32 [frames, atoms, 3] in nm, readable by numpy.load and
openmmada.data.load_dataset at any time. The frame of step k (a multiple of the frequency) is written when the
next step begins, or by flush(context): call it after the last step of a run.

    recorder = openmmada.DataRecorder('frames.npy', 100, atoms)
    system.addForce(recorder)
    ...
    simulation.step(10000); recorder.flush(simulation.context)

Without append, the file is replaced when a Context first opens it; with append, frames continue an existing
file of the same atoms. One file belongs to one Context at a time. Get it back from System.getForce(i) or
XmlSerializer.deserialize with DataRecorder.cast(force). File arguments take str or os.PathLike.";
%feature("docstring") OpenMMADA::DataRecorder::setFile "Set the NPY file frames are written to.";
%feature("docstring") OpenMMADA::DataRecorder::setFrequency "Set the number of steps between frames (> 0).";
%feature("docstring") OpenMMADA::DataRecorder::setAtoms "Set the recorded particle indices (empty: all particles).";
%feature("docstring") OpenMMADA::DataRecorder::setAppend "Set whether frames continue an existing file (True) or replace it when first opened (False).";

%copyctor OpenMMADA::DataRecorder;
%include "DataRecorder.h"

namespace OpenMMADA {
%extend DataRecorder {
    /** The DataRecorder behind a Force (e.g. from System.getForce or XmlSerializer.deserialize); raises if it is another kind. */
    static OpenMMADA::DataRecorder& cast(OpenMM::Force& force) {
        OpenMMADA::DataRecorder* recorder = dynamic_cast<OpenMMADA::DataRecorder*>(&force);
        if (recorder == NULL)
            throw OpenMM::OpenMMException("DataRecorder.cast: the Force is not a DataRecorder");
        return *recorder;
    }
    /** Whether a Force is a DataRecorder. */
    static bool isinstance(OpenMM::Force& force) {
        return dynamic_cast<OpenMMADA::DataRecorder*>(&force) != NULL;
    }

    %pythoncode %{
    def __copy__(self):
        import copy
        duplicate = DataRecorder(self)
        for key, value in self.__dict__.items():
            if key not in ("this", "_ada_owner"):
                setattr(duplicate, key, copy.deepcopy(value))
        return duplicate

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __setstate__(self, serializationString):
        self.__init__(DataRecorder.cast(openmm.XmlSerializer.deserialize(serializationString)))
    %}
}
}

// For openmmada.data.load_dataset, not public API: (shape, float64 values as a bytearray, the file's dtype) of
// an NPY or DCD dataset, read and checked by ada_core exactly as the trainers read it. expect: 0 any,
// 1 particles, 2 vectors (ada::Dataset::Expect).
%inline %{
PyObject* _readDataset(const std::string& path, int expect) {
    const ada::Dataset data = ada::Dataset::load(path, static_cast<ada::Dataset::Expect>(expect));
    std::string suffix = path.size() >= 4 ? path.substr(path.size() - 4) : std::string();
    for (char& c : suffix)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool dcd = suffix == ".dcd";  // as ada::Dataset::load decides
    const std::string dtype = dcd ? std::string("<f4") : ada::readNpyHeader(path).dtype;
    PyObject* shape = PyTuple_New(static_cast<Py_ssize_t>(data.shape().size()));
    for (size_t i = 0; i < data.shape().size(); ++i)
        PyTuple_SET_ITEM(shape, static_cast<Py_ssize_t>(i), PyLong_FromLongLong(data.shape()[i]));
    PyObject* values = PyByteArray_FromStringAndSize(reinterpret_cast<const char*>(data.values().data()),
                                                     static_cast<Py_ssize_t>(data.values().size() * sizeof(double)));
    return Py_BuildValue("(NNs)", shape, values, dtype.c_str());
}
%}
