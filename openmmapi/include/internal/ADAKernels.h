#pragma once
// The abstract computation of an ADAForce; each platform's kernel factory makes a concrete one
// (platforms/reference, platforms/common for OpenCL and CUDA).
#include <string>

#include "ADAForce.h"
#include "openmm/KernelImpl.h"
#include "openmm/System.h"
#include "openmm/internal/ContextImpl.h"

namespace OpenMMADA {

class CalcADAForceKernel : public OpenMM::KernelImpl {
public:
    static std::string Name() { return "CalcADAForce"; }
    CalcADAForceKernel(const std::string& name, const OpenMM::Platform& platform) : OpenMM::KernelImpl(name, platform) {}
    /** Prepare for the System's particles; the specification has been checked against them. */
    virtual void initialize(const OpenMM::System& system, const ADAForce& force) = 0;
    /** Add the bias forces (kJ/mol/nm) and return its energy (kJ/mol). */
    virtual double execute(OpenMM::ContextImpl& context, bool includeForces, bool includeEnergy) = 0;
    /** Replace the specification by the force's current one. */
    virtual void copyParametersToContext(OpenMM::ContextImpl& context, const ADAForce& force) = 0;
};

}  // namespace OpenMMADA
