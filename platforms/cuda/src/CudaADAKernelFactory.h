#pragma once
// Makes the ADAForce kernels of the CUDA platform: the common ComputeContext kernel on the Context's first
// CUDA context.
#include "openmm/KernelFactory.h"

namespace OpenMMADA {

class CudaADAKernelFactory : public OpenMM::KernelFactory {
public:
    OpenMM::KernelImpl* createKernelImpl(std::string name, const OpenMM::Platform& platform, OpenMM::ContextImpl& context) const override;
};

}  // namespace OpenMMADA
