#pragma once
// Scalar coupling by the Karplus relation on a dihedral (DESIGN.md §4):
//   J = A cos^2(theta) + B cos(theta) + C,  theta = phi + offset,
//   dJ/dr = -(2 A cos(theta) + B) sin(theta) dphi/dr.
// Defaults are the 3J(HN,HA) parameters of Vuister & Bax, JACS 115, 7772 (1993), with phi the backbone
// dihedral C-N-CA-C: A = 6.51 Hz, B = -1.76 Hz, C = 1.60 Hz, offset = -60 degrees.
#include "ada/observables/Observable.h"

namespace ada {

class JCoupling : public Observable {
public:
    JCoupling(int i, int j, int k, int l, double A, double B, double C, double offset);
    std::string type() const override { return "jcoupling"; }
    int dimension() const override { return 1; }
    void evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const override;
    nlohmann::json toJson() const override;

private:
    double A_, B_, C_, offset_;
};

}  // namespace ada
