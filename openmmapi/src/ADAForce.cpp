#include "ADAForce.h"

#include "ada/bias/BiasSpecification.h"
#include "ada/io/SpecError.h"
#include "internal/ADAForceImpl.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"

using namespace OpenMM;

namespace OpenMMADA {

namespace {
template <typename Parse>
ada::BiasSpecification parseOrThrow(Parse parse) {
    try {
        return parse();
    } catch (const ada::SpecError& e) {
        throw OpenMMException(std::string("ADAForce: ") + e.what());
    }
}
}  // namespace

ADAForce::ADAForce() { setBiasFromJSON("{\"temperature\": 300.0, \"terms\": []}"); }

ADAForce::ADAForce(const std::string& file) { setBiasFromFile(file); }

void ADAForce::setBiasFromFile(const std::string& file) {
    ada::BiasSpecification spec = parseOrThrow([&] { return ada::BiasSpecification::fromFile(file); });
    biasJson_ = spec.toJsonText();
    numTerms_ = spec.numTerms();
    temperature_ = spec.temperature();
}

void ADAForce::setBiasFromJSON(const std::string& json, const std::string& baseDirectory) {
    ada::BiasSpecification spec = parseOrThrow([&] { return ada::BiasSpecification::fromJsonText(json, "bias JSON", baseDirectory); });
    biasJson_ = spec.toJsonText();
    numTerms_ = spec.numTerms();
    temperature_ = spec.temperature();
}

void ADAForce::updateParametersInContext(Context& context) {
    dynamic_cast<ADAForceImpl&>(getImplInContext(context)).updateParametersInContext(getContextImpl(context));
}

ForceImpl* ADAForce::createImpl() const { return new ADAForceImpl(*this); }

}  // namespace OpenMMADA
