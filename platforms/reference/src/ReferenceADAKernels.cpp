#include "ReferenceADAKernels.h"

#include "ReferencePlatform.h"
#include "openmm/internal/ContextImpl.h"

using namespace OpenMM;

namespace OpenMMADA {

namespace {
ReferencePlatform::PlatformData& platformData(ContextImpl& context) {
    return *static_cast<ReferencePlatform::PlatformData*>(context.getPlatformData());
}
}  // namespace

void ReferenceCalcADAForceKernel::initialize(const System& system, const ADAForce& force) {
    bias_ = std::make_unique<ADABiasEvaluation>(force, system.getNumParticles());
    lambdaDerivative_ = force.getLambdaDerivativeRequested();
}

double ReferenceCalcADAForceKernel::execute(ContextImpl& context, bool includeForces, bool includeEnergy) {
    ReferencePlatform::PlatformData& data = platformData(context);
    const std::vector<Vec3>& positions = *data.positions;
    double* buffer = bias_->positionBuffer();
    for (int atom : bias_->atoms())
        for (int k = 0; k < 3; ++k)
            buffer[3 * atom + k] = positions[atom][k];
    const double lambda = context.getParameter(ADAForce::lambdaParameter());
    const double energy = bias_->evaluate(data.periodicBoxVectors, lambda, includeForces);
    if (includeForces) {
        std::vector<Vec3>& forces = *data.forces;
        const std::vector<int>& atoms = bias_->atoms();
        for (size_t a = 0; a < atoms.size(); ++a) {
            const double* f = bias_->force(static_cast<int>(a));
            forces[atoms[a]] += Vec3(f[0], f[1], f[2]);
        }
    }
    if (lambdaDerivative_)
        (*data.energyParameterDerivatives)[ADAForce::lambdaParameter()] += bias_->lambdaDerivative();
    return includeEnergy ? energy : 0.0;
}

void ReferenceCalcADAForceKernel::copyParametersToContext(ContextImpl& context, const ADAForce& force) {
    initialize(context.getSystem(), force);
}

}  // namespace OpenMMADA
