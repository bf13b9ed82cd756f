// The OpenCL plugin's entry points: registerKernelFactories() attaches OpenCLADAKernelFactory to the OpenCL
// platform when OpenMM has one (its plugin loaded and an OpenCL runtime present), and does nothing otherwise.
#include "OpenCLADAKernelFactory.h"

#include "CommonADAKernels.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"
#include "openmm/internal/windowsExport.h"
#include "openmm/opencl/OpenCLContext.h"
#include "openmm/opencl/OpenCLPlatform.h"

using namespace OpenMM;

namespace OpenMMADA {

KernelImpl* OpenCLADAKernelFactory::createKernelImpl(std::string name, const Platform& platform, ContextImpl& context) const {
    // With several devices OpenMM keeps one OpenCLContext per device and sums their forces; the bias runs on the first.
    auto& data = *static_cast<OpenCLPlatform::PlatformData*>(context.getPlatformData());
    OpenCLContext& cl = *data.contexts[0];
    if (name == CalcADAForceKernel::Name())
        return new CommonCalcADAForceKernel(name, platform, cl);
    throw OpenMMException("OpenCLADAKernelFactory: no kernel named " + name);
}

}  // namespace OpenMMADA

extern "C" OPENMM_EXPORT void registerPlatforms() {}

extern "C" OPENMM_EXPORT void registerKernelFactories() {
    try {
        Platform& platform = Platform::getPlatformByName("OpenCL");
        platform.registerKernelFactory(OpenMMADA::CalcADAForceKernel::Name(), new OpenMMADA::OpenCLADAKernelFactory());
    } catch (const OpenMMException&) {
        // No OpenCL platform in this process: the plugin has nothing to add.
    }
}
