#pragma once
// Makes the ADAForce kernels of the OpenCL platform: the common ComputeContext kernel on the Context's first
// OpenCL context.
#include "openmm/KernelFactory.h"

namespace OpenMMADA {

class OpenCLADAKernelFactory : public OpenMM::KernelFactory {
public:
    OpenMM::KernelImpl* createKernelImpl(std::string name, const OpenMM::Platform& platform, OpenMM::ContextImpl& context) const override;
};

}  // namespace OpenMMADA
