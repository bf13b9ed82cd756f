// Registers the plugin's serialization proxies when libOpenMMADA is loaded, so XmlSerializer knows ADAForce
// in C++ and Python alike.
#include <typeinfo>

#include "ADAForce.h"
#include "ADAForceProxy.h"
#include "openmm/serialization/SerializationProxy.h"

namespace {
struct ProxyRegistration {
    ProxyRegistration() {
        OpenMM::SerializationProxy::registerProxy(typeid(OpenMMADA::ADAForce), new OpenMMADA::ADAForceProxy());
    }
} registration;
}  // namespace
