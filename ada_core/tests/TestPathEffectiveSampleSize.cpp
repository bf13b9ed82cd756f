// Also: the SDE integrators of AdjointSampler against the same exact control (Euler-Maruyama against Heun).
// Path effective sample size (metrics/PathEffectiveSampleSize.h) and the path weights of the Adjoint Sampling
// SDE (soc/AdjointSampler.h) on constructed cases with known answers:
// - weights alone: equal weights give 1, one dominant weight 1/n, and log-weights far beyond exp's range work;
// - a Gaussian target N(0, s^2 I) on the zero-centre-of-mass subspace of 3 particles in 2-D (d = 4):
//   without control the path weight is the terminal ratio pi / p_base, whose ESS fraction is known in closed
//   form, (s sqrt(2v - s^2) / v)^d; with the optimal control u*(x, t) = -sigma(t) a x / (1 + a r(t))
//   (a = 1/s^2 - 1/v, r(t) the variance still to come; the field is f = u / sigma) the weights are constant up to the time step, ESS close to 1.
//   A sign error in either Girsanov term, or a missing one, gives a much smaller ESS there.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "ada/energy/Energy.h"
#include "ada/io/SpecError.h"
#include "ada/metrics/PathEffectiveSampleSize.h"
#include "ada/soc/AdjointSampler.h"

namespace {

constexpr int64_t kParticles = 3, kDimension = 2;

// E(x) = |x - xbar|^2 / (2 s^2): the Gaussian N(0, s^2 I) on the zero-centre-of-mass subspace.
class CentredGaussianEnergy : public ada::Energy {
public:
    explicit CentredGaussianEnergy(double s) : s_(s) {}
    std::string name() const override { return "centred-gaussian"; }
    int64_t particles() const override { return kParticles; }
    int64_t spatialDimension() const override { return kDimension; }
    at::Tensor energy(const at::Tensor& x) const override {
        const at::Tensor p = particlesView(x);
        return (p - p.mean(1, true)).pow(2).sum({1, 2}) / (2 * s_ * s_);
    }

private:
    double s_;
};

// f(x, t) = u(x, t) / sigma(t) = -a x / (1 + a (nu_1 - nu_t)), a = scale * (1/s^2 - 1/nu_1); scale 0 is the zero
// control, scale 1 the optimal one.
class GaussianControl : public ada::VectorField {
public:
    GaussianControl(const ada::AdjointSampler& sampler, double s, double scale) : sampler_(sampler) {
        a_ = scale * (1 / (s * s) - 1 / sampler.baseVariance());
    }
    at::Tensor forward(const at::Tensor& x, const at::Tensor& t) override {
        const double time = t.item<double>(), remaining = sampler_.schedule().variance(1.0) - sampler_.schedule().variance(time);
        return -a_ * x / (1 + a_ * remaining);
    }
    std::string kind() const override { return "gaussian_control"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    std::vector<int64_t> eventShape() const override { return {kParticles, kDimension}; }
    bool zeroCentreOfMass() const override { return true; }

private:
    const ada::AdjointSampler& sampler_;
    double a_;
};

double pathESS(const ada::AdjointSampler& sampler, double s, double scale, int64_t count) {
    CentredGaussianEnergy energy(s);
    GaussianControl control(sampler, s, scale);
    at::Generator generator = at::detail::createCPUGenerator(11);
    const ada::ControlledPaths paths = sampler.sampleWithLogWeights(control, count, energy, 1.0, generator);
    EXPECT_NEAR(paths.samples.sum(1).abs().max().item<double>(), 0.0, 1e-9);  // stays centred
    const at::Tensor w = paths.logWeights.contiguous();
    return ada::pathEffectiveSampleSize(std::vector<double>(w.data_ptr<double>(), w.data_ptr<double>() + count));
}

}  // namespace

TEST(PathEffectiveSampleSize, KnownWeights) {
    EXPECT_DOUBLE_EQ(ada::pathEffectiveSampleSize({3.0, 3.0, 3.0, 3.0}), 1.0);
    EXPECT_NEAR(ada::pathEffectiveSampleSize({0.0, -800.0, -800.0, -800.0, -800.0}), 0.2, 1e-12);
    // w = (1, 2): (1 + 2)^2 / (2 (1 + 4)) = 0.9, shifted far beyond exp's range.
    EXPECT_NEAR(ada::pathEffectiveSampleSize({1000.0, 1000.0 + std::log(2.0)}), 0.9, 1e-12);
    EXPECT_THROW(ada::pathEffectiveSampleSize({}), ada::SpecError);
    EXPECT_THROW(ada::pathEffectiveSampleSize({0.0, std::numeric_limits<double>::quiet_NaN()}), ada::SpecError);
}

TEST(PathEffectiveSampleSize, GaussianTargetWithoutAndWithTheOptimalControl) {
    const ada::AdjointSampler sampler(ada::GeometricNoiseSchedule{0.01, 1.0}, 400);
    const double s = 0.5, v = sampler.baseVariance(), d = (kParticles - 1) * kDimension;
    const double expected = std::pow(s * std::sqrt(2 * v - s * s) / v, d);
    const double uncontrolled = pathESS(sampler, s, 0.0, 10000);
    const double optimal = pathESS(sampler, s, 1.0, 10000);
    const double overshoot = pathESS(sampler, s, 2.0, 10000);
    std::cout << "path ESS: no control " << uncontrolled << " (exact " << expected << "), optimal control " << optimal
              << ", twice the optimal control " << overshoot << "\n";
    EXPECT_NEAR(uncontrolled, expected, 0.03);
    // The continuous-time optimal control on the time grid: 1 - ESS shrinks with the step (measured 0.97 here).
    EXPECT_GT(optimal, 0.95);
    EXPECT_LT(overshoot, 0.9 * optimal);
}

// The integrators against the exact control of a Gaussian target, whose samples must have variance s^2 per
// coordinate of the centred subspace: Euler-Maruyama's O(h) bias is visible at 50 steps, Heun's second-order
// scheme removes most of it at the same number of steps (AdjointSampler.h gives measured values).
TEST(AdjointSamplerIntegrators, HeunIsCloserToTheTargetThanEulerAtTheSameSteps) {
    const double s = 1.0;
    const auto relativeVariance = [&](ada::SdeIntegrator integrator) {
        const ada::AdjointSampler sampler(ada::GeometricNoiseSchedule{1e-3, 3.0}, 50, integrator);
        GaussianControl control(sampler, s, 1.0);
        at::Generator generator = at::detail::createCPUGenerator(5);
        const at::Tensor x = sampler.sample(control, 20000, generator).to(at::kDouble);
        EXPECT_NEAR(x.sum(1).abs().max().item<double>(), 0.0, 1e-9);
        const double d = (kParticles - 1) * kDimension;
        return x.pow(2).sum({1, 2}).mean().item<double>() / (d * s * s);
    };
    const double euler = relativeVariance(ada::SdeIntegrator::EulerMaruyama), heun = relativeVariance(ada::SdeIntegrator::Heun);
    std::cout << "variance / s^2 at 50 steps: Euler-Maruyama " << euler << ", Heun " << heun << "\n";
    EXPECT_GT(euler, 1.08);               // measured 1.164
    EXPECT_NEAR(heun, 1.0, 0.04);         // measured 0.982; statistical sd of the estimate 0.005
    const ada::AdjointSampler heunSampler(ada::GeometricNoiseSchedule{1e-3, 3.0}, 50, ada::SdeIntegrator::Heun);
    EXPECT_EQ(heunSampler.fieldEvaluations(), 100);
    CentredGaussianEnergy energy(s);
    GaussianControl control(heunSampler, s, 1.0);
    at::Generator generator = at::detail::createCPUGenerator(5);
    EXPECT_THROW(heunSampler.sampleWithLogWeights(control, 10, energy, 1.0, generator), ada::SpecError);
    EXPECT_THROW(ada::sdeIntegratorFromName("rk4", "test"), ada::SpecError);
}
