#pragma once
// Smoothed radial distribution function between two groups on K bins with centres c_k in [rmin, rmax]:
//   g_k = V / (P 4 pi c_k^2) * sum_pairs N(r_p - c_k; sigma),
// N a normalised Gaussian of width sigma (default: one bin width), P the number of pairs and V the box
// volume (or the "volume" given in the specification for a system without a periodic box).
// dg_k/dr_p = -V / (P 4 pi c_k^2) N(r_p - c_k; sigma) (r_p - c_k)/sigma^2.
#include "ada/observables/Observable.h"
#include "ada/observables/PairSet.h"

namespace ada {

class RadialDistribution : public Observable {
public:
    RadialDistribution(PairSet pairs, int bins, double rmin, double rmax, double sigma, double volume);
    std::string type() const override { return "rdf"; }
    int dimension() const override { return bins_; }
    void evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const override;
    nlohmann::json toJson() const override;

private:
    PairSet set_;
    int bins_;
    double rmin_, rmax_, sigma_, volume_;
};

}  // namespace ada
