#include "ada/energy/MuellerBrown.h"

#include <ATen/ATen.h>

namespace ada {

at::Tensor MuellerBrown::energy(const at::Tensor& x) const {
    const at::Tensor p = particlesView(x);
    evaluations_ += p.size(0);
    const at::Tensor X = p.select(1, 0).select(1, 0), Y = p.select(1, 0).select(1, 1);
    static const double A[4] = {-200, -100, -170, 15}, a[4] = {-1, -1, -6.5, 0.7}, b[4] = {0, 0, 11, 0.6},
                        c[4] = {-10, -10, -6.5, 0.7}, x0[4] = {1, 0, -0.5, -1}, y0[4] = {0, 0.5, 1.5, 1};
    at::Tensor v = at::zeros_like(X);
    for (int k = 0; k < 4; ++k) {
        const at::Tensor dx = X - x0[k], dy = Y - y0[k];
        v = v + A[k] * at::exp(a[k] * dx * dx + b[k] * dx * dy + c[k] * dy * dy);
    }
    return v / temperature_;
}

}  // namespace ada
