// The CUDA plugin's entry points: registerKernelFactories() attaches CudaADAKernelFactory to the CUDA platform
// when OpenMM has one (its plugin loaded, which needs the CUDA driver), and does nothing otherwise.
#include "CudaADAKernelFactory.h"

#include "CommonADAKernels.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"
#include "openmm/internal/windowsExport.h"
#include "openmm/cuda/CudaContext.h"
#include "openmm/cuda/CudaPlatform.h"

using namespace OpenMM;

namespace OpenMMADA {

KernelImpl* CudaADAKernelFactory::createKernelImpl(std::string name, const Platform& platform, ContextImpl& context) const {
    // With several devices OpenMM keeps one CudaContext per device and sums their forces; the bias runs on the first.
    auto& data = *static_cast<CudaPlatform::PlatformData*>(context.getPlatformData());
    CudaContext& cu = *data.contexts[0];
    if (name == CalcADAForceKernel::Name())
        return new CommonCalcADAForceKernel(name, platform, cu);
    throw OpenMMException("CudaADAKernelFactory: no kernel named " + name);
}

}  // namespace OpenMMADA

extern "C" OPENMM_EXPORT void registerPlatforms() {}

extern "C" OPENMM_EXPORT void registerKernelFactories() {
    try {
        Platform& platform = Platform::getPlatformByName("CUDA");
        platform.registerKernelFactory(OpenMMADA::CalcADAForceKernel::Name(), new OpenMMADA::CudaADAKernelFactory());
    } catch (const OpenMMException&) {
        // No CUDA platform in this process: the plugin has nothing to add.
    }
}
