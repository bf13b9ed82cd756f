// The ADA critic (DESIGN.md §3.3): WGAN-GP training gives a 1-Lipschitz critic whose W1 estimate matches the
// analytic W1 of two Gaussians; export to MLPFunction (and Spline for 1-D) reproduces the torch critic; bad
// observable samples are rejected with a SpecError naming the problem.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/autograd.h>

#include "SpecErrorMessage.h"
#include "ada/align/Critic.h"
#include "ada/align/CriticTrainer.h"
#include "ada/bias/BiasFunction.h"
#include "ada/bias/Spline.h"
#include "ada/io/SpecError.h"

namespace {

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// f(y) [B] and grad f(y) [B, d] of the torch critic.
std::pair<at::Tensor, at::Tensor> valuesAndGradients(ada::Critic& critic, const at::Tensor& y) {
    const at::Tensor yg = y.detach().clone().requires_grad_(true);
    const at::Tensor f = critic->forward(yg);
    const at::Tensor g = torch::autograd::grad({f.sum()}, {yg})[0];
    return {f.detach(), g.detach()};
}

void expectSameFunction(ada::Critic& critic, const ada::BiasFunction& exported, const at::Tensor& y, double tolerance) {
    const auto [f, g] = valuesAndGradients(critic, y);
    const int64_t d = y.size(1);
    std::vector<double> grad(d);
    double worstValue = 0, worstGradient = 0;
    for (int64_t b = 0; b < y.size(0); ++b) {
        const at::Tensor row = y[b].contiguous();
        const double value = exported.evaluate(row.data_ptr<double>(), grad.data());
        worstValue = std::max(worstValue, std::abs(value - f[b].item<double>()));
        for (int64_t k = 0; k < d; ++k)
            worstGradient = std::max(worstGradient, std::abs(grad[k] - g[b][k].item<double>()));
    }
    EXPECT_LT(worstValue, tolerance);
    EXPECT_LT(worstGradient, tolerance);
}

}  // namespace

// Two Gaussians with equal covariance: W1 = |mu_1 - mu_2| and the optimal critic is linear, f = u . y with
// u the unit vector along mu_1 - mu_2. With a two-sided penalty the regularised optimum of the slope a is
// 1 + W1 / (2 lambda) (so the estimate is biased up by W1^2 / (2 lambda)); lambda = 100 keeps that at 0.5%,
// the rest of the margin is minibatch noise and the critic's curvature in the tails.
TEST(CriticTest, LearnsLipschitzCriticAndW1OfShiftedGaussians) {
    const auto start = std::chrono::steady_clock::now();
    at::Generator g = generator(11);
    const int64_t n = 4000;
    const at::Tensor shift = at::tensor({0.6, -0.8}, at::kDouble);  // |shift| = 1
    const at::Tensor yModel = 0.5 * at::randn({n, 2}, g, at::kDouble);
    const at::Tensor yData = 0.5 * at::randn({n, 2}, g, at::kDouble) + shift;

    ada::Critic critic(ada::CriticOptions(2).hidden(32).layers(2).activation("tanh").seed(3));
    critic->to(at::kDouble);
    ada::CriticTrainer trainer(critic, ada::CriticTrainerOptions().steps(2000).batch(512).learningRate(1e-3).penalty(100.0).seed(13));
    const double w1 = trainer.train(yModel, yData);
    EXPECT_EQ(trainer.step(), 2000);
    EXPECT_NEAR(w1, 1.0, 0.15) << "analytic W1 = 1";

    const double maxModel = valuesAndGradients(critic, yModel).second.norm(2, {1}).max().item<double>();
    const double maxData = valuesAndGradients(critic, yData).second.norm(2, {1}).max().item<double>();
    EXPECT_LE(maxModel, 1.05);
    EXPECT_LE(maxData, 1.05);
    // f is high where the model has too much mass, so exp(-beta f) moves mass toward the data.
    EXPECT_GT(critic->forward(at::zeros({1, 2}, at::kDouble)).item<double>(), critic->forward(shift.unsqueeze(0)).item<double>());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("W1 estimate %.4f (analytic 1), max |grad f| model %.4f data %.4f, %.1f s\n", w1, maxModel, maxData, seconds);
}

TEST(CriticTest, TrainingIsReproducibleFromSeeds) {
    at::Generator g = generator(2);
    const at::Tensor a = at::randn({300, 1}, g, at::kDouble), b = at::randn({300, 1}, g, at::kDouble) + 1;
    double estimates[2];
    for (double& e : estimates) {
        ada::Critic critic(ada::CriticOptions(1).hidden(8).seed(7));
        critic->to(at::kDouble);
        ada::CriticTrainer trainer(critic, ada::CriticTrainerOptions().steps(20).batch(32).seed(9));
        e = trainer.train(a, b);
    }
    EXPECT_EQ(estimates[0], estimates[1]);
}

TEST(CriticExportTest, MLPFunctionEqualsTorchCritic) {
    at::Generator g = generator(4);
    for (const std::string activation : {"softplus", "tanh", "silu"}) {
        SCOPED_TRACE(activation);
        ada::Critic critic(ada::CriticOptions(3).hidden(16).layers(3).activation(activation).seed(1));
        critic->to(at::kDouble);
        // Non-trivial standardisation, and a short training so the weights are not the initial ones.
        const at::Tensor ym = at::randn({500, 3}, g, at::kDouble) * at::tensor({0.1, 2.0, 5.0}, at::kDouble) + 3.0;
        const at::Tensor yd = at::randn({500, 3}, g, at::kDouble) * at::tensor({0.1, 2.0, 5.0}, at::kDouble) - 1.0;
        ada::CriticTrainer(critic, ada::CriticTrainerOptions().steps(30).batch(64)).train(ym, yd);
        EXPECT_TRUE(critic->standardized());
        EXPECT_NE(critic->inputScale()[2].item<double>(), 1.0);

        const ada::MLPFunction f = critic->toBiasFunction();
        EXPECT_EQ(f.inputDimension(), 3);
        // Include far points, where softplus is in its linear branch (z > 30).
        const at::Tensor y = at::cat({ym.slice(0, 0, 100), 40.0 * at::randn({100, 3}, g, at::kDouble)}, 0);
        expectSameFunction(critic, f, y, 1e-10);
        // Through the bias-specification JSON (what an ADAForce reads).
        const auto parsed = ada::makeBiasFunction(f.toJson(), "critic json", false, "");
        expectSameFunction(critic, *parsed, y, 1e-10);
        // beta f, for a specification at ada_lambda = 1.
        const ada::MLPFunction scaled = critic->toBiasFunction(2.5);
        const at::Tensor row = y[7].contiguous();
        EXPECT_NEAR(scaled.evaluate(row.data_ptr<double>(), nullptr), 2.5 * f.evaluate(row.data_ptr<double>(), nullptr), 1e-12);
    }
}

TEST(CriticExportTest, SplineTabulatesOneDimensionalCritic) {
    ada::Critic critic(ada::CriticOptions(1).hidden(8).activation("tanh").seed(2));
    critic->to(at::kDouble);
    const ada::MLPFunction f = critic->toBiasFunction();
    const ada::Spline spline = critic->toSpline(-2.0, 2.0, 401, false);
    EXPECT_FALSE(spline.periodic());
    double worst = 0;
    for (double y = -1.99; y < 2.0; y += 0.0137)
        worst = std::max(worst, std::abs(spline.evaluate(&y, nullptr) - f.evaluate(&y, nullptr)));
    EXPECT_LT(worst, 1e-6);

    const ada::Spline periodic = critic->toSpline(-M_PI, M_PI, 181, true);
    EXPECT_TRUE(periodic.periodic());
    double a = -M_PI + 0.5, b = M_PI + 0.5;  // one turn apart
    EXPECT_NEAR(periodic.evaluate(&a, nullptr), periodic.evaluate(&b, nullptr), 1e-12);
    EXPECT_NEAR(periodic.evaluate(&a, nullptr), f.evaluate(&a, nullptr), 1e-5);

    expectSpecError([&] { ada::Critic(ada::CriticOptions(2).seed(0))->toSpline(0, 1, 10, false); }, "1-D");
    expectSpecError([&] { critic->toSpline(1, 0, 10, false); }, "lo < hi");
}

TEST(CriticExportTest, ACriticOfAnglesIsPeriodicAndItsSplineIsExact) {
    ada::Critic critic(ada::CriticOptions(1).hidden(16).activation("softplus").seed(3).periodic(true));
    critic->to(at::kDouble);
    EXPECT_EQ(ada::CriticOptions::fromJson(critic->options().toJson(), "critic").periodic(), true);
    EXPECT_FALSE(ada::CriticOptions::fromJson(ada::CriticOptions(1).toJson(), "critic").periodic());
    // Standardisation leaves the angle alone.
    at::Generator g = generator(4);
    critic->standardize(3.0 + at::randn({50, 1}, g, at::kDouble));
    EXPECT_EQ(critic->inputShift().item<double>(), 0.0);
    EXPECT_EQ(critic->inputScale().item<double>(), 1.0);
    // f(y + 2π) = f(y), with the same derivative: the seam is invisible.
    const at::Tensor y = at::linspace(-M_PI, M_PI, 41, at::kDouble).reshape({41, 1});
    const auto [f, df] = valuesAndGradients(critic, y);
    const auto [fTurn, dfTurn] = valuesAndGradients(critic, y + 2 * M_PI);
    EXPECT_LT((f - fTurn).abs().max().item<double>(), 1e-12);
    EXPECT_LT((df - dfTurn).abs().max().item<double>(), 1e-12);
    EXPECT_NEAR(f[0].item<double>(), f[40].item<double>(), 1e-12);
    EXPECT_GT((f - f.mean()).abs().max().item<double>(), 1e-3);  // not a constant
    // The periodic spline of 3 f follows 3 f and its derivative everywhere, the seam included.
    const ada::Spline spline = critic->toSpline(-M_PI, M_PI, 400, true, 3.0);
    double worstValue = 0, worstGradient = 0;
    const at::Tensor dense = at::linspace(-M_PI, M_PI, 997, at::kDouble).reshape({997, 1});
    const auto [fd, dfd] = valuesAndGradients(critic, dense);
    for (int64_t b = 0; b < dense.size(0); ++b) {
        double x = dense[b][0].item<double>(), gradient = 0;
        worstValue = std::max(worstValue, std::abs(spline.evaluate(&x, &gradient) - 3.0 * fd[b].item<double>()));
        worstGradient = std::max(worstGradient, std::abs(gradient - 3.0 * dfd[b][0].item<double>()));
    }
    EXPECT_LT(worstValue, 1e-6);
    EXPECT_LT(worstGradient, 1e-3);
    expectSpecError([&] { critic->toBiasFunction(); }, "periodic spline");
}

TEST(CriticTest, RejectsBadSamplesAndOptions) {
    ada::Critic critic(ada::CriticOptions(2).hidden(4));
    critic->to(at::kDouble);
    ada::CriticTrainer trainer(critic, ada::CriticTrainerOptions().steps(1).batch(4));
    const at::Tensor good = at::zeros({10, 2}, at::kDouble);
    expectSpecError([&] { trainer.train(at::zeros({10, 3}, at::kDouble), good); }, "model samples must have shape [n, 2]");
    expectSpecError([&] { trainer.train(good, at::zeros({10}, at::kDouble)); }, "data samples must have shape [n, 2]");
    expectSpecError([&] { trainer.train(at::zeros({0, 2}, at::kDouble), good); }, "model samples are empty");
    expectSpecError([&] { trainer.train(good, at::zeros({0, 2}, at::kDouble)); }, "data samples are empty");
    at::Tensor nan = good.clone();
    nan[3][1] = std::nan("");
    expectSpecError([&] { trainer.train(nan, good); }, "model samples contain NaN");
    at::Tensor inf = good.clone();
    inf[0][0] = INFINITY;
    expectSpecError([&] { trainer.estimate(good, inf); }, "data samples contain NaN or infinite");
    expectSpecError([&] { critic->forward(at::zeros({3, 5}, at::kDouble)); }, "[B, 2]");
    expectSpecError([] { ada::Critic(ada::CriticOptions(2).activation("relu")); }, "expected tanh, softplus or silu");
    expectSpecError([] { ada::Critic(ada::CriticOptions(0)); }, "must be positive");
    expectSpecError([&] { ada::CriticTrainer(critic, ada::CriticTrainerOptions().batch(0)); }, "must be positive");
    EXPECT_EQ(trainer.step(), 0);

    const ada::CriticOptions options = ada::CriticOptions(3).hidden(7).layers(4).activation("silu").seed(12);
    EXPECT_EQ(ada::CriticOptions::fromJson(options.toJson(), "critic").toJson(), options.toJson());
    expectSpecError([] { ada::CriticOptions::fromJson(nlohmann::json::object(), "critic config"); }, "dimension");
}
