#include "ReferenceADAKernelFactory.h"

#include "ReferenceADAKernels.h"
#include "ReferencePlatform.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/windowsExport.h"

using namespace OpenMM;

namespace OpenMMADA {

KernelImpl* ReferenceADAKernelFactory::createKernelImpl(std::string name, const Platform& platform, ContextImpl&) const {
    if (name == CalcADAForceKernel::Name())
        return new ReferenceCalcADAForceKernel(name, platform);
    throw OpenMMException("ReferenceADAKernelFactory: no kernel named " + name);
}

}  // namespace OpenMMADA

extern "C" OPENMM_EXPORT void registerPlatforms() {}

extern "C" OPENMM_EXPORT void registerKernelFactories() {
    for (int i = 0; i < Platform::getNumPlatforms(); i++) {
        Platform& platform = Platform::getPlatform(i);
        if (dynamic_cast<ReferencePlatform*>(&platform) != nullptr)
            platform.registerKernelFactory(OpenMMADA::CalcADAForceKernel::Name(), new OpenMMADA::ReferenceADAKernelFactory());
    }
}
