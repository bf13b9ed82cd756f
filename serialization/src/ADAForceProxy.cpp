#include "ADAForceProxy.h"

#include <memory>

#include "ADAForce.h"
#include "openmm/OpenMMException.h"
#include "openmm/serialization/SerializationNode.h"

using namespace OpenMM;

namespace OpenMMADA {

ADAForceProxy::ADAForceProxy() : SerializationProxy("ADAForce") {}

void ADAForceProxy::serialize(const void* object, SerializationNode& node) const {
    const ADAForce& force = *reinterpret_cast<const ADAForce*>(object);
    node.setIntProperty("version", 1);
    node.setIntProperty("forceGroup", force.getForceGroup());
    node.setStringProperty("name", force.getName());
    node.setBoolProperty("usesPeriodic", force.usesPeriodicBoundaryConditions());
    node.setDoubleProperty("defaultLambda", force.getDefaultLambda());
    node.setBoolProperty("lambdaDerivative", force.getLambdaDerivativeRequested());
    node.setStringProperty("bias", force.getBiasJSON());
}

void* ADAForceProxy::deserialize(const SerializationNode& node) const {
    const int version = node.getIntProperty("version");
    if (version != 1)
        throw OpenMMException("ADAForce XML: unsupported version " + std::to_string(version) + " (this build reads version 1)");
    auto force = std::make_unique<ADAForce>();
    force->setBiasFromJSON(node.getStringProperty("bias"));
    force->setForceGroup(node.getIntProperty("forceGroup", 0));
    force->setName(node.getStringProperty("name", "ADAForce"));
    force->setUsesPeriodicBoundaryConditions(node.getBoolProperty("usesPeriodic", false));
    force->setDefaultLambda(node.getDoubleProperty("defaultLambda", 1.0));
    force->setLambdaDerivativeRequested(node.getBoolProperty("lambdaDerivative", false));
    return force.release();
}

}  // namespace OpenMMADA
