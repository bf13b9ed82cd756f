// Registers the plugin's serialization proxies when libOpenMMADA is loaded, so XmlSerializer knows ADAForce
// and DataRecorder in C++ and Python alike.
#include <typeinfo>

#include "ADAForce.h"
#include "ADAForceProxy.h"
#include "DataRecorder.h"
#include "DataRecorderProxy.h"
#include "openmm/serialization/SerializationProxy.h"

namespace {
struct ProxyRegistration {
    ProxyRegistration() {
        OpenMM::SerializationProxy::registerProxy(typeid(OpenMMADA::ADAForce), new OpenMMADA::ADAForceProxy());
        OpenMM::SerializationProxy::registerProxy(typeid(OpenMMADA::DataRecorder), new OpenMMADA::DataRecorderProxy());
    }
} registration;
}  // namespace
