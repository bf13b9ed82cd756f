// The openmmada Python module: the plugin's public classes, built on the openmm module's own SWIG types.
//
// Objects pass between the two modules (System.addForce(ADAForce), XmlSerializer, System.getForce) only
// because both register their types in one SWIG runtime type table; python/CMakeLists.txt checks that
// this SWIG's runtime version is the one the openmm module was generated with.
%module(package="openmmada", docstring="OpenMM plugin classes of openmm-ada (ADAForce: a learned bias force).") openmmada

%import(module="openmm") "swig/OpenMMSwigHeaders.i"
%include "swig/typemaps.i"
%include <std_string.i>

%{
#include <exception>

// The imported class hierarchy names every OpenMM class, plugins' included (for SWIG's pointer casts).
#include "OpenMM.h"
#include "OpenMMAmoeba.h"
#include "OpenMMDrude.h"
#include "openmm/RPMDIntegrator.h"
#include "openmm/RPMDMonteCarloBarostat.h"
#include "ADAForce.h"
%}

// C++ exceptions become openmm.OpenMMException (a subclass of Exception), as in the openmm module.
%exception {
    try {
        $action
    } catch (const std::exception& e) {
        PyObject* openmmModule = PyImport_AddModule("openmm");
        PyObject* exceptionType = openmmModule ? PyObject_GetAttrString(openmmModule, "OpenMMException") : NULL;
        if (exceptionType == NULL) {
            PyErr_Clear();
            exceptionType = PyExc_Exception;
            Py_INCREF(exceptionType);
        }
        PyErr_SetString(exceptionType, e.what());
        Py_DECREF(exceptionType);
        SWIG_fail;
    }
}

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
