// Adjoint Sampling (DESIGN.md §3.4) learns a 2-D double well from its energy alone: the sampler's x-marginal
// matches the exact one (W2 on the line) and both wells are populated, within the test budget.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <torch/torch.h>

#include "ada/energy/Energy.h"
#include "ada/metrics/GeometricWasserstein.h"
#include "ada/models/MLPVectorField.h"
#include "ada/soc/AdjointSamplingTrainer.h"

namespace {

// E(x, y) = 2 (x^2 - 1)^2 + y^2 / 2: wells at x = +-1 separated by a barrier of 2 kT, Gaussian in y.
class DoubleWell2D : public ada::Energy {
public:
    std::string name() const override { return "double-well-2d"; }
    int64_t particles() const override { return 1; }
    int64_t spatialDimension() const override { return 2; }
    at::Tensor energy(const at::Tensor& x) const override {
        const at::Tensor p = particlesView(x);
        evaluations_ += p.size(0);
        const at::Tensor a = p.select(2, 0).squeeze(1), b = p.select(2, 1).squeeze(1);
        return 2 * (a * a - 1).pow(2) + 0.5 * b * b;
    }
};

// Exact samples of the x-marginal ∝ exp(-2 (x^2 - 1)^2) by inverse CDF on a fine grid.
std::vector<double> exactX(size_t n, unsigned seed) {
    const int G = 20000;
    std::vector<double> grid(G), cdf(G);
    double total = 0;
    for (int i = 0; i < G; ++i) {
        grid[i] = -3 + 6.0 * (i + 0.5) / G;
        total += std::exp(-2 * std::pow(grid[i] * grid[i] - 1, 2));
        cdf[i] = total;
    }
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, total);
    std::vector<double> x(n);
    for (double& v : x)
        v = grid[std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin()];
    return x;
}

}  // namespace

TEST(AdjointSampling, LearnsATwoDimensionalDoubleWell) {
    torch::manual_seed(0);
    DoubleWell2D energy;
    auto control = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(2).hidden(64).layers(3));
    ada::AdjointSamplingTrainer trainer(control, energy,
                                        ada::AdjointSamplingOptions().iterations(150).samplesPerIteration(128).updatesPerIteration(100)
                                            .batchSize(256).bufferSize(4000).sdeSteps(100).learningRate(1e-3).sigmaMax(1.5).sigmaMin(0.01).seed(1));
    trainer.train();
    EXPECT_EQ(trainer.energyEvaluations(), 150 * 128);
    EXPECT_EQ(trainer.gradientUpdates(), 150 * 100);
    const at::Tensor samples = trainer.sample(2000);
    std::vector<double> x(2000);
    for (int i = 0; i < 2000; ++i)
        x[i] = samples[i][0].item<double>();
    const double w2 = ada::energyW2(x, exactX(2000, 3));
    const double floor = ada::energyW2(exactX(2000, 4), exactX(2000, 3));
    double right = 0;
    for (double v : x)
        right += v > 0;
    right /= x.size();
    // The uncontrolled base process ends at N(0, nu_1): the starting point the sampler must improve on.
    std::mt19937 rng(5);
    std::normal_distribution<double> normal(0.0, std::sqrt(trainer.schedule().variance(1.0)));
    std::vector<double> base(2000);
    for (double& v : base)
        v = normal(rng);
    const double baseW2 = ada::energyW2(base, exactX(2000, 3));
    std::cout << "x-marginal W2 " << w2 << " (base process: " << baseW2 << ", two exact sample sets: " << floor
              << "), fraction in the right well " << right << "\n";
    // Measured 0.166 with these settings; collapsing onto one well would give about sqrt(0.5 * 2^2) = 1.4.
    EXPECT_LT(w2, 0.25);
    EXPECT_LT(w2, 0.5 * baseW2);
    EXPECT_NEAR(right, 0.5, 0.12);
}
