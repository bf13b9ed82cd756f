#include "ada/observables/Dihedral.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ada/observables/Vector3.h"

namespace ada {

double dihedralAngle(const double* positions, const int atoms[4], const PeriodicBox& box, double* grad) {
    const Vector3 F = displacement(positions, atoms[1], atoms[0], box);
    const Vector3 G = displacement(positions, atoms[2], atoms[1], box);
    const Vector3 H = displacement(positions, atoms[2], atoms[3], box);
    const Vector3 A = cross(F, G), B = cross(H, G);
    const double lG = norm(G);
    const double phi = std::atan2(dot(cross(B, A), G) / lG, dot(A, B));
    if (grad) {
        // Degenerate (collinear) geometries have no defined gradient; give no force there.
        const double A2 = std::max(dot(A, A), 1e-24), B2 = std::max(dot(B, B), 1e-24);
        const Vector3 gi = (-lG / A2) * A;
        const Vector3 gl = (lG / B2) * B;
        const double fg = dot(F, G) / (A2 * lG), hg = dot(H, G) / (B2 * lG);
        const Vector3 gj = ((lG / A2 + fg) * A) - (hg * B);
        const Vector3 gk = ((-lG / B2 + hg) * B) - (fg * A);
        for (int a = 0; a < 3; ++a) {
            grad[a] = gi[a];
            grad[3 + a] = gj[a];
            grad[6 + a] = gk[a];
            grad[9 + a] = gl[a];
        }
    }
    return phi;
}

Dihedral::Dihedral(int i, int j, int k, int l) { atoms_ = {i, j, k, l}; }

void Dihedral::evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const {
    value[0] = dihedralAngle(positions, atoms_.data(), box, jacobian);
}

nlohmann::json Dihedral::toJson() const { return {{"type", type()}, {"atoms", atoms_}}; }

}  // namespace ada
