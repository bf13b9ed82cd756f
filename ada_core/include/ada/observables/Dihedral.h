#pragma once
// Dihedral angle of atoms i-j-k-l in OpenMM's (IUPAC) convention, phi in (-pi, pi].
// With F = r_i - r_j, G = r_j - r_k, H = r_l - r_k, A = F x G, B = H x G:
//   phi = atan2( (B x A).G / |G|, A.B ),
// and the gradient of Blondel & Karplus, J. Comput. Chem. 17, 1132 (1996):
//   dphi/dr_i = -|G|/|A|^2 A,   dphi/dr_l = |G|/|B|^2 B,
//   dphi/dr_j =  |G|/|A|^2 A + (F.G)/(|A|^2|G|) A - (H.G)/(|B|^2|G|) B,
//   dphi/dr_k = -|G|/|B|^2 B - (F.G)/(|A|^2|G|) A + (H.G)/(|B|^2|G|) B.
#include "ada/observables/Observable.h"

namespace ada {

/** phi and its gradient for four atoms; grad is [4][3] (may be null). Shared with JCoupling. */
double dihedralAngle(const double* positions, const int atoms[4], const PeriodicBox& box, double* grad);

class Dihedral : public Observable {
public:
    Dihedral(int i, int j, int k, int l);
    std::string type() const override { return "dihedral"; }
    int dimension() const override { return 1; }
    bool isAngle() const override { return true; }
    void evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const override;
    nlohmann::json toJson() const override;
};

}  // namespace ada
