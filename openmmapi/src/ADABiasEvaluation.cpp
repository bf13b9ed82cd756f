#include "internal/ADABiasEvaluation.h"

#include <algorithm>

#include "ada/bias/BiasSpecification.h"
#include "ada/io/SpecError.h"
#include "openmm/OpenMMException.h"

using namespace OpenMM;

namespace OpenMMADA {

ADABiasEvaluation::ADABiasEvaluation(const ADAForce& force, int numParticles) : periodic_(force.usesPeriodicBoundaryConditions()) {
    try {
        spec_ = std::make_unique<ada::BiasSpecification>(ada::BiasSpecification::fromJsonText(force.getBiasJSON(), "ADAForce bias"));
        spec_->checkAtoms(numParticles);
    } catch (const ada::SpecError& e) {
        throw OpenMMException(std::string("ADAForce: ") + e.what());
    }
    positions_.assign(3 * static_cast<size_t>(numParticles), 0.0);
    gradient_.assign(3 * static_cast<size_t>(numParticles), 0.0);
    forces_.assign(3 * spec_->atoms().size(), 0.0);
}

ADABiasEvaluation::~ADABiasEvaluation() = default;

const std::vector<int>& ADABiasEvaluation::atoms() const { return spec_->atoms(); }

double ADABiasEvaluation::evaluate(const Vec3* boxVectors, double lambda, bool includeForces) {
    ada::PeriodicBox box;
    if (periodic_ && boxVectors != nullptr) {
        const double a[3] = {boxVectors[0][0], boxVectors[0][1], boxVectors[0][2]};
        const double b[3] = {boxVectors[1][0], boxVectors[1][1], boxVectors[1][2]};
        const double c[3] = {boxVectors[2][0], boxVectors[2][1], boxVectors[2][2]};
        box = ada::PeriodicBox::fromVectors(a, b, c);
    }
    const std::vector<int>& atoms = spec_->atoms();
    if (includeForces)
        for (int atom : atoms)
            std::fill_n(&gradient_[3 * atom], 3, 0.0);
    double sum;
    try {
        sum = spec_->evaluate(positions_.data(), box, includeForces ? gradient_.data() : nullptr);
    } catch (const ada::SpecError& e) {
        throw OpenMMException(std::string("ADAForce: ") + e.what());
    }
    const double kT = spec_->kT();
    lambdaDerivative_ = kT * sum;
    if (includeForces) {
        const double scale = -lambda * kT;
        for (size_t a = 0; a < atoms.size(); ++a)
            for (int k = 0; k < 3; ++k)
                forces_[3 * a + k] = scale * gradient_[3 * atoms[a] + k];
    }
    return lambda * kT * sum;
}

}  // namespace OpenMMADA
