// Registers GenerativeMove's serialization proxy when libOpenMMADALearn is loaded (the proxies of
// libOpenMMADA are registered by ADASerializationProxyRegistration.cpp when that library loads).
#include <typeinfo>

#include "GenerativeMove.h"
#include "GenerativeMoveProxy.h"
#include "openmm/serialization/SerializationProxy.h"

namespace {
struct ProxyRegistration {
    ProxyRegistration() {
        OpenMM::SerializationProxy::registerProxy(typeid(OpenMMADA::GenerativeMove), new OpenMMADA::GenerativeMoveProxy());
    }
} registration;
}  // namespace
