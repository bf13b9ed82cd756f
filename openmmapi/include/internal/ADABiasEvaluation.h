#pragma once
// The host-side evaluation every kernel shares: from positions of the touched atoms to
//   E = lambda kT sum_i f_i(o_i(x)),  F = -lambda kT grad sum_i f_i,  dE/dlambda = kT sum_i f_i.
// Platform kernels only move positions in and forces out.
#include <memory>
#include <vector>

#include "ADAForce.h"
#include "openmm/Vec3.h"

namespace ada {
class BiasSpecification;
}

namespace OpenMMADA {

class OPENMM_EXPORT_ADA ADABiasEvaluation {
public:
    /** Parses the force's specification; throws OpenMMException if it does not fit numParticles. */
    ADABiasEvaluation(const ADAForce& force, int numParticles);
    ~ADABiasEvaluation();
    /** Sorted distinct particles the bias depends on. */
    const std::vector<int>& atoms() const;
    /** Positions of every particle are read from positions[3*i..] for i in atoms() only (nm). */
    double* positionBuffer() { return positions_.data(); }
    /**
     * Evaluate at the positions in positionBuffer(). Afterwards force(a) is the force on atoms()[a] in
     * kJ/mol/nm (when includeForces) and the return value is the energy in kJ/mol.
     */
    double evaluate(const OpenMM::Vec3* boxVectors, double lambda, bool includeForces);
    const double* force(int atomSlot) const { return &forces_[3 * atomSlot]; }
    /** dE/dlambda of the last evaluation, kJ/mol. */
    double lambdaDerivative() const { return lambdaDerivative_; }
    bool usesPeriodic() const { return periodic_; }

private:
    std::unique_ptr<ada::BiasSpecification> spec_;
    std::vector<double> positions_, gradient_, forces_;
    double lambdaDerivative_ = 0;
    bool periodic_;
};

}  // namespace OpenMMADA
