#pragma once
// Contact map of n atoms: the n x n image (row-major, value d = n^2)
//   C_ij = s(r_ij / r0)  (i != j),  C_ii = 0,
// s the rational switching function of RationalSwitch.h, r_ij the (minimum-image) distance; symmetric. Its
// derivative: dC_ij/dx_j = -dC_ij/dx_i = s'(r_ij / r0) / (r0 r_ij) (x_j - x_i). The observable of an image
// critic (a CNN, ada/align/Critic.h): imageShape() = {n, n}.
#include "ada/observables/Observable.h"

namespace ada {

class ContactMap : public Observable {
public:
    /** Distinct atoms, at least two; 0 < n < m. */
    ContactMap(std::vector<int> atoms, double r0, int n, int m);
    std::string type() const override { return "contact_map"; }
    int dimension() const override { return static_cast<int>(atoms_.size() * atoms_.size()); }
    std::vector<int64_t> imageShape() const override {
        return {static_cast<int64_t>(atoms_.size()), static_cast<int64_t>(atoms_.size())};
    }
    void evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const override;
    nlohmann::json toJson() const override;

private:
    double r0_;
    int n_, m_;
};

}  // namespace ada
