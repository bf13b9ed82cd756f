#pragma once
// XML serialization of GenerativeMove. Version 1 fields: forceGroup, name, frequency, temperature,
// attemptsPerMove, batchSize, tolerance, randomSeed, the moved atoms as <Atoms><Atom index="..."/>...</Atoms>
// (none: the model's atoms), and the embedded model file as Base64 text in <Model bytes="..."/>.
// Registered when libOpenMMADALearn is loaded (GenerativeMoveProxyRegistration.cpp).
#include "openmm/serialization/SerializationProxy.h"

namespace OpenMMADA {

class GenerativeMoveProxy : public OpenMM::SerializationProxy {
public:
    GenerativeMoveProxy();
    void serialize(const void* object, OpenMM::SerializationNode& node) const override;
    void* deserialize(const OpenMM::SerializationNode& node) const override;
};

}  // namespace OpenMMADA
