#include "ada/observables/Angle.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ada/observables/Vector3.h"

namespace ada {

Angle::Angle(int i, int j, int k) { atoms_ = {i, j, k}; }

void Angle::evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const {
    const Vector3 u = displacement(positions, atoms_[1], atoms_[0], box);
    const Vector3 v = displacement(positions, atoms_[1], atoms_[2], box);
    const double lu = norm(u), lv = norm(v);
    const double theta = std::atan2(norm(cross(u, v)), dot(u, v));
    value[0] = theta;
    if (!jacobian)
        return;
    const double c = std::cos(theta);
    // The gradient is singular for collinear atoms; there the bias gets no force from this term.
    const double s = std::max(std::sin(theta), 1e-12);
    const Vector3 uh = (1.0 / lu) * u, vh = (1.0 / lv) * v;
    const Vector3 gi = (1.0 / (lu * s)) * (c * uh - vh);
    const Vector3 gk = (1.0 / (lv * s)) * (c * vh - uh);
    for (int a = 0; a < 3; ++a) {
        jacobian[a] = gi[a];
        jacobian[3 + a] = -gi[a] - gk[a];
        jacobian[6 + a] = gk[a];
    }
}

nlohmann::json Angle::toJson() const { return {{"type", type()}, {"atoms", atoms_}}; }

}  // namespace ada
