#pragma once
// The Mueller-Brown potential (Mueller & Brown, Theor. Chim. Acta 53, 75 (1979)) for one particle in 2-D:
//   V(x, y) = sum_k A_k exp( a_k (x - x_k)^2 + b_k (x - x_k)(y - y_k) + c_k (y - y_k)^2 ),
//   A = (-200, -100, -170, 15), a = (-1, -1, -6.5, 0.7), b = (0, 0, 11, 0.6), c = (-10, -10, -6.5, 0.7),
//   (x_k, y_k) = (1, 0), (0, 0.5), (-0.5, 1.5), (-1, 1);
// E = V / temperature (default temperature 20: the three minima are then populated with barriers of a few kT).
#include "ada/energy/Energy.h"

namespace ada {

class MuellerBrown : public Energy {
public:
    explicit MuellerBrown(double temperature = 20.0) : temperature_(temperature) {}
    std::string name() const override { return "muller-brown"; }
    int64_t particles() const override { return 1; }
    int64_t spatialDimension() const override { return 2; }
    at::Tensor energy(const at::Tensor& x) const override;

private:
    double temperature_;
};

}  // namespace ada
