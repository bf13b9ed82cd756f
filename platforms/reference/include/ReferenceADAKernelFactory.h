#pragma once
// Makes the Reference kernels of the plugin; registered on every platform derived from ReferencePlatform.
#include "openmm/KernelFactory.h"

namespace OpenMMADA {

class ReferenceADAKernelFactory : public OpenMM::KernelFactory {
public:
    OpenMM::KernelImpl* createKernelImpl(std::string name, const OpenMM::Platform& platform, OpenMM::ContextImpl& context) const override;
};

}  // namespace OpenMMADA
