#include "ada/observables/JCoupling.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "ada/observables/Dihedral.h"

namespace ada {

JCoupling::JCoupling(int i, int j, int k, int l, double A, double B, double C, double offset)
    : A_(A), B_(B), C_(C), offset_(offset) {
    atoms_ = {i, j, k, l};
}

void JCoupling::evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const {
    const double phi = dihedralAngle(positions, atoms_.data(), box, jacobian);
    const double theta = phi + offset_;
    const double c = std::cos(theta);
    value[0] = A_ * c * c + B_ * c + C_;
    if (jacobian) {
        const double dJdphi = -(2 * A_ * c + B_) * std::sin(theta);
        for (int a = 0; a < 12; ++a)
            jacobian[a] *= dJdphi;
    }
}

nlohmann::json JCoupling::toJson() const {
    return {{"type", type()}, {"atoms", atoms_}, {"A", A_}, {"B", B_}, {"C", C_}, {"offset", offset_}};
}

}  // namespace ada
