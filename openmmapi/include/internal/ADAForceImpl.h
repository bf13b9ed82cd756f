#pragma once
// The lifecycle of an ADAForce in a Context: checks the specification against the System when the Context
// is created, and calls the platform's CalcADAForceKernel for the force groups that include it.
#include <map>
#include <string>
#include <vector>

#include "ADAForce.h"
#include "openmm/Kernel.h"
#include "openmm/internal/ForceImpl.h"

namespace OpenMMADA {

class OPENMM_EXPORT_ADA ADAForceImpl : public OpenMM::ForceImpl {
public:
    explicit ADAForceImpl(const ADAForce& owner);
    void initialize(OpenMM::ContextImpl& context) override;
    const ADAForce& getOwner() const override { return owner_; }
    void updateContextState(OpenMM::ContextImpl&, bool&) override {}
    double calcForcesAndEnergy(OpenMM::ContextImpl& context, bool includeForces, bool includeEnergy, int groups) override;
    std::map<std::string, double> getDefaultParameters() override;
    std::vector<std::string> getKernelNames() override;
    void updateParametersInContext(OpenMM::ContextImpl& context);

private:
    const ADAForce& owner_;
    OpenMM::Kernel kernel_;
};

}  // namespace OpenMMADA
