// Critics of angles (DESIGN.md §3.3; ada/align/Critic.h, options.periodic): base angles uniform on the circle,
// experiment von Mises(π, κ) — its mass straddles the seam ±π of the cut interval. The exact tilt of the
// uniform base to it is exp(κ cos(y − π)) = exp(−β f) with f = (κ/β) cos y + c, 1-Lipschitz for κ ≤ β, so the
// dual's optimum reproduces the experiment: the tilted pool has circular mean π and mean resultant length
// I1(κ)/I0(κ), and f(0) − f(π) = 2κ/β.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/align/ObservableCritics.h"

namespace {

constexpr double kappa = 2.0, beta = 10.0;

// von Mises(π, κ) by rejection from the uniform law.
at::Tensor vonMisesAtPi(int64_t n, at::Generator& g) {
    std::vector<double> out;
    while (static_cast<int64_t>(out.size()) < n) {
        const at::Tensor y = (2 * at::rand({n}, g, at::kDouble) - 1) * M_PI;
        const at::Tensor u = at::rand({n}, g, at::kDouble);
        const at::Tensor keep = u < at::exp(kappa * (at::cos(y - M_PI) - 1));
        const at::Tensor kept = y.masked_select(keep).contiguous();
        out.insert(out.end(), kept.data_ptr<double>(), kept.data_ptr<double>() + kept.numel());
    }
    out.resize(n);
    return at::tensor(out, at::kDouble).reshape({n, 1});
}

struct Tilt {
    double circularMean, resultantLength, contrast;
};

Tilt alignAngles() {
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(11);
    const at::Tensor pool = (2 * at::rand({2000, 1}, g, at::kDouble) - 1) * M_PI;
    ada::AlignmentTarget t;
    t.name = "phi";
    t.observe = [](const at::Tensor& x) { return x.reshape({x.size(0), 1}); };
    t.data = vonMisesAtPi(2000, g);
    t.angle = true;
    ada::ObservableCriticsOptions options;
    options.beta = beta;
    options.penalty = 100.0;
    options.learningRate = 1e-2;
    options.finalLearningRateFraction = 0.1;
    options.scheduleSteps = 500;
    options.steps = 100;
    options.hidden = 32;
    ada::ObservableCritics critics({t}, options);
    EXPECT_TRUE(critics.critic(0)->options().periodic());  // periodicAngles is the default
    for (int i = 0; i < 5; ++i)
        critics.update({pool}, at::Tensor());
    const at::Tensor w = critics.weights({pool}, at::Tensor());
    const at::Tensor y = pool.reshape({-1});
    const std::complex<double> z((w * at::cos(y)).sum().item<double>(), (w * at::sin(y)).sum().item<double>());
    torch::NoGradGuard noGrad;
    const at::Tensor f = critics.critic(0)->forward(at::tensor({0.0, M_PI}, at::kDouble).reshape({2, 1}));
    return {std::arg(z), std::abs(z), (f[0] - f[1]).item<double>()};
}

}  // namespace

TEST(AngleCritics, TiltAUniformCircleToAVonMisesAcrossTheSeam) {
    const Tilt tilt = alignAngles();
    const double expectedLength = std::cyl_bessel_i(1.0, kappa) / std::cyl_bessel_i(0.0, kappa);  // 0.698
    std::printf("periodic critic: circular mean %.3f (pi), resultant length %.3f (%.3f), f(0) - f(pi) %.3f (%.3f)\n", tilt.circularMean,
                tilt.resultantLength, expectedLength, tilt.contrast, 2 * kappa / beta);
    EXPECT_LT(std::abs(std::remainder(tilt.circularMean - M_PI, 2 * M_PI)), 0.1);
    EXPECT_NEAR(tilt.resultantLength, expectedLength, 0.05);
    EXPECT_NEAR(tilt.contrast, 2 * kappa / beta, 0.08);
}
