// Samplers of flow models on fields with closed-form flows: RK4 and Dormand–Prince against the exact
// solution of a linear ODE; the ODE and the memoryless SDE transporting N(0, I) onto a known Gaussian.
#include <gtest/gtest.h>

#include <cmath>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "AnalyticFields.h"
#include "ada/flow/GaussianBase.h"
#include "ada/flow/MemorylessSDE.h"
#include "ada/flow/OdeIntegrator.h"
#include "ada/flow/OdeSampler.h"
#include "ada/io/SpecError.h"

namespace {

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

double maxAbs(const at::Tensor& a) { return a.abs().max().item<double>(); }

// Sample mean and covariance of x [B, D].
std::pair<at::Tensor, at::Tensor> moments(const at::Tensor& x) {
    const at::Tensor mean = x.mean(0);
    const at::Tensor c = x - mean;
    return {mean, at::matmul(c.t(), c) / static_cast<double>(x.size(0) - 1)};
}

}  // namespace

TEST(OdeIntegrator, RK4AndDormandPrinceAgreeOnALinearField) {
    // A damped rotation with a shear: x(1) = exp(A) x(0).
    const at::Tensor a = at::tensor({-0.3, 2.0, 0.5, -1.5, -0.2, 0.0, 0.1, 0.4, -0.8}, at::kDouble).reshape({3, 3});
    adatest::LinearField field(a);
    at::Generator g = generator(11);
    const at::Tensor x0 = at::randn({64, 3}, g, at::kDouble);
    const at::Tensor exact = at::matmul(x0, at::linalg_matrix_exp(a).t());

    const ada::OdeResult rk4 = ada::transport(field, x0, 0.0, 1.0, ada::OdeOptions::rk4(100));
    EXPECT_EQ(rk4.functionEvaluations, 400);
    EXPECT_LT(maxAbs(rk4.state - exact), 1e-8);  // O(h^4) with h = 0.01

    const ada::OdeResult dopri = ada::transport(field, x0, 0.0, 1.0, ada::OdeOptions::dormandPrince(1e-9, 1e-9));
    EXPECT_LT(maxAbs(dopri.state - exact), 1e-7);
    EXPECT_LT(maxAbs(dopri.state - rk4.state), 1e-7);
    EXPECT_GT(dopri.functionEvaluations, 6);
    EXPECT_EQ(dopri.functionEvaluations, 1 + 1 + 6 * (dopri.acceptedSteps + dopri.rejectedSteps));  // k1, initial-step probe, 6 per step

    // Looser tolerances take fewer evaluations and still meet them.
    const ada::OdeResult loose = ada::transport(field, x0, 0.0, 1.0, ada::OdeOptions::dormandPrince(1e-4, 1e-4));
    EXPECT_LT(loose.functionEvaluations, dopri.functionEvaluations);
    EXPECT_LT(maxAbs(loose.state - exact), 1e-2);

    // Backwards in time returns to the start.
    const ada::OdeResult back = ada::transport(field, dopri.state, 1.0, 0.0, ada::OdeOptions::dormandPrince(1e-9, 1e-9));
    EXPECT_LT(maxAbs(back.state - x0), 1e-7);
    EXPECT_THROW(ada::transport(field, x0, 0.0, 1.0, ada::OdeOptions::rk4(0)), ada::SpecError);
}

TEST(OdeSampler, TransportsNoiseOntoTheGaussian) {
    const at::Tensor mu = at::tensor({1.0, -0.5}, at::kDouble);
    const at::Tensor sigma = at::tensor({0.5, 0.3, 0.3, 0.8}, at::kDouble).reshape({2, 2});
    adatest::GaussianField field(mu, sigma);
    at::Generator g = generator(5);
    const ada::OdeSample sample = ada::sampleByOde(field, 20000, ada::OdeOptions::dormandPrince(1e-6, 1e-6), g);
    ASSERT_EQ(sample.samples.sizes(), (at::IntArrayRef{20000, 2}));
    // The flow of this field is affine: x(1) = μ + L z with L Lᵀ = Σ exactly, so every sample maps exactly.
    const auto [mean, covariance] = moments(sample.samples);
    EXPECT_LT(maxAbs(mean - mu), 0.03);
    EXPECT_LT(maxAbs(covariance - sigma), 0.04);
    EXPECT_GT(sample.functionEvaluations, 0);
}

TEST(MemorylessSDE, ReproducesTheGaussianMarginal) {
    const at::Tensor mu = at::tensor({1.0, -0.5}, at::kDouble);
    const at::Tensor sigma = at::tensor({0.5, 0.3, 0.3, 0.8}, at::kDouble).reshape({2, 2});
    adatest::GaussianField field(mu, sigma);
    EXPECT_DOUBLE_EQ(ada::MemorylessSDE::sigma(0.2), std::sqrt(2.0 * 0.8 / 0.2));
    ada::MemorylessSDEOptions options;
    options.steps = 200;
    options.tMin = 1e-2;
    const ada::MemorylessSDE sde(options);
    EXPECT_EQ(sde.times().size(), 201u);
    at::Generator g = generator(9);
    const int64_t n = 40000;
    const ada::SDESample sample = sde.sample(field, n, g);
    const auto [mean, covariance] = moments(sample.samples);
    // Sampling error: sd(mean) ≈ sqrt(0.8/n) = 0.0045, sd(variance) ≈ 0.8·sqrt(2/n) = 0.0057; the
    // Euler–Maruyama bias is of the same order (measured errors 0.006 / 0.003 with 100 steps, 0.003 / 0.005 with 500).
    EXPECT_LT(maxAbs(mean - mu), 0.03) << mean;
    EXPECT_LT(maxAbs(covariance - sigma), 0.04) << covariance;
    EXPECT_EQ(sample.functionEvaluations, 200);

    // Trajectories are recorded on request and stay in the zero-CoM subspace for particle fields.
    adatest::IsotropicParticleField particles(3, 2, 0.7);
    ada::MemorylessSDEOptions recorded;
    recorded.steps = 20;
    recorded.recordTrajectory = true;
    const ada::SDESample path = ada::MemorylessSDE(recorded).sample(particles, 8, g);
    ASSERT_EQ(path.trajectory.sizes(), (at::IntArrayRef{21, 8, 3, 2}));
    EXPECT_LT(maxAbs(path.trajectory.sum(2)), 1e-12);
    EXPECT_TRUE(at::equal(path.trajectory[20], path.samples));
    EXPECT_THROW(ada::MemorylessSDE(ada::MemorylessSDEOptions{10, 0.0, {}, false}), ada::SpecError);
}

TEST(GaussianBase, ZeroCentreOfMassSubspace) {
    const ada::GaussianBase base({4, 3}, true);
    EXPECT_EQ(base.dimension(), 9);
    EXPECT_EQ(base.flatDimension(), 12);
    at::Generator g = generator(2);
    const at::Tensor x = base.sample(50000, at::kDouble, g);
    EXPECT_LT(maxAbs(x.sum(1)), 1e-12);
    // On U the samples are standard normal: E‖x‖² = (N−1)S.
    EXPECT_NEAR(x.pow(2).sum({1, 2}).mean().item<double>(), 9.0, 0.1);
    const at::Tensor y = x.narrow(0, 0, 2);
    EXPECT_TRUE(at::allclose(base.logDensity(y), -4.5 * std::log(2 * M_PI) - 0.5 * y.pow(2).sum({1, 2})));
    // The density is that of the centred configuration.
    EXPECT_TRUE(at::allclose(base.logDensity(y + 2.0), base.logDensity(y)));
}
