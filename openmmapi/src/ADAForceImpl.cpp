#include "internal/ADAForceImpl.h"

#include "internal/ADABiasEvaluation.h"
#include "internal/ADAKernels.h"
#include "openmm/internal/ContextImpl.h"

using namespace OpenMM;

namespace OpenMMADA {

ADAForceImpl::ADAForceImpl(const ADAForce& owner) : owner_(owner) {}

void ADAForceImpl::initialize(ContextImpl& context) {
    const System& system = context.getSystem();
    // Parsing against the System reports out-of-range atoms now, when the Context is created.
    ADABiasEvaluation check(owner_, system.getNumParticles());
    kernel_ = context.getPlatform().createKernel(CalcADAForceKernel::Name(), context);
    kernel_.getAs<CalcADAForceKernel>().initialize(system, owner_);
}

double ADAForceImpl::calcForcesAndEnergy(ContextImpl& context, bool includeForces, bool includeEnergy, int groups) {
    if ((groups & (1 << owner_.getForceGroup())) == 0)
        return 0.0;
    return kernel_.getAs<CalcADAForceKernel>().execute(context, includeForces, includeEnergy);
}

std::map<std::string, double> ADAForceImpl::getDefaultParameters() {
    return {{ADAForce::lambdaParameter(), owner_.getDefaultLambda()}};
}

std::vector<std::string> ADAForceImpl::getKernelNames() { return {CalcADAForceKernel::Name()}; }

void ADAForceImpl::updateParametersInContext(ContextImpl& context) {
    ADABiasEvaluation check(owner_, context.getSystem().getNumParticles());
    kernel_.getAs<CalcADAForceKernel>().copyParametersToContext(context, owner_);
    context.systemChanged();
}

}  // namespace OpenMMADA
