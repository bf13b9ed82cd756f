#pragma once
// XML serialization of DataRecorder. Version 1 fields: forceGroup, name, file, frequency, append, and the
// recorded atoms as <Atoms><Atom index="..."/>...</Atoms> (none: all particles).
#include "internal/windowsExportADA.h"
#include "openmm/serialization/SerializationProxy.h"

namespace OpenMMADA {

class OPENMM_EXPORT_ADA DataRecorderProxy : public OpenMM::SerializationProxy {
public:
    DataRecorderProxy();
    void serialize(const void* object, OpenMM::SerializationNode& node) const override;
    void* deserialize(const OpenMM::SerializationNode& node) const override;
};

}  // namespace OpenMMADA
