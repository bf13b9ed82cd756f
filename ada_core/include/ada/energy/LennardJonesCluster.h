#pragma once
// LJ-n (DESIGN.md §5): n particles in 3-D, tau = 1, in the convention of the published numbers,
//   E(x) = sum_{i != j} [ d_ij^-12 - 2 d_ij^-6 ] + 1/2 sum_i |x_i - xbar|^2,
// the first sum over ordered pairs (twice the usual sum over i < j); mean -43.13 over the LJ-13 reference.
#include "ada/energy/Energy.h"

namespace ada {

class LennardJonesCluster : public Energy {
public:
    explicit LennardJonesCluster(int64_t n);
    std::string name() const override { return "lj" + std::to_string(n_); }
    int64_t particles() const override { return n_; }
    int64_t spatialDimension() const override { return 3; }
    at::Tensor energy(const at::Tensor& x) const override;

private:
    int64_t n_;
};

}  // namespace ada
