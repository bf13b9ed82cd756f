#pragma once
// DW-4 (DESIGN.md §5): 4 particles in 2-D, tau = 1,
//   E(x) = sum_{i<j} [ 0.9 (d_ij - 4)^4 - 4 (d_ij - 4)^2 ],
// the convention of the published reference samples (mean energy -22.45 over them).
#include "ada/energy/Energy.h"

namespace ada {

class DoubleWell4 : public Energy {
public:
    std::string name() const override { return "dw4"; }
    int64_t particles() const override { return 4; }
    int64_t spatialDimension() const override { return 2; }
    at::Tensor energy(const at::Tensor& x) const override;
};

}  // namespace ada
