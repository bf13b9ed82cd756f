#pragma once
// XML serialization of ADAForce. The bias specification travels inside the XML as self-contained JSON
// (MLP weights inline), so a deserialized force needs no file. Version 1 fields: forceGroup, name,
// usesPeriodic, defaultLambda, lambdaDerivative, bias.
#include "internal/windowsExportADA.h"
#include "openmm/serialization/SerializationProxy.h"

namespace OpenMMADA {

class OPENMM_EXPORT_ADA ADAForceProxy : public OpenMM::SerializationProxy {
public:
    ADAForceProxy();
    void serialize(const void* object, OpenMM::SerializationNode& node) const override;
    void* deserialize(const OpenMM::SerializationNode& node) const override;
};

}  // namespace OpenMMADA
