#pragma once
// ADAForce on the Reference platform, and on the CPU platform, whose platform data derives from it:
// positions are already on the host, so the kernel evaluates the bias in place.
#include <memory>

#include "internal/ADABiasEvaluation.h"
#include "internal/ADAKernels.h"

namespace OpenMMADA {

class ReferenceCalcADAForceKernel : public CalcADAForceKernel {
public:
    ReferenceCalcADAForceKernel(const std::string& name, const OpenMM::Platform& platform) : CalcADAForceKernel(name, platform) {}
    void initialize(const OpenMM::System& system, const ADAForce& force) override;
    double execute(OpenMM::ContextImpl& context, bool includeForces, bool includeEnergy) override;
    void copyParametersToContext(OpenMM::ContextImpl& context, const ADAForce& force) override;

private:
    std::unique_ptr<ADABiasEvaluation> bias_;
    bool lambdaDerivative_ = false;
};

}  // namespace OpenMMADA
