// Adjoint matching (DESIGN.md §3.2): the lean adjoint against its closed form for a linear base drift, the
// loss at initialisation, reward gradients by autograd, and fine-tuning a 1-D Gaussian base to the known
// exponential tilt N(1, 0.5²)·e^{−2x} ∝ N(0.5, 0.5²).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <memory>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/module.h>

#include "AnalyticFields.h"
#include "ada/flow/OdeSampler.h"
#include "ada/io/SpecError.h"
#include "ada/models/MLPVectorField.h"
#include "ada/soc/AdjointMatchingTrainer.h"
#include "ada/soc/LeanAdjoint.h"
#include "ada/soc/Reward.h"

namespace {

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

double maxAbs(const at::Tensor& a) { return a.abs().max().item<double>(); }

// v_θ = v_base + c_θ, with c_θ a small MLP whose output layer starts at zero, so that v_θ = v_base exactly at
// initialisation; only c_θ is registered (the analytic base has no parameters anyway).
class CorrectedField : public ada::VectorField {
public:
    CorrectedField(std::shared_ptr<ada::VectorField> base, int64_t dimension) : base_(std::move(base)) {
        correction_ = register_module(
            "correction", ada::MLPVectorField(ada::MLPVectorFieldOptions(dimension).hidden(32).layers(2).timeEmbedding(16).maxFrequency(10.0)));
        correction_->to(at::kDouble);
        torch::NoGradGuard noGrad;
        for (auto& p : correction_->named_parameters())
            if (p.key().rfind("output.", 0) == 0)
                p.value().zero_();
    }
    at::Tensor forward(const at::Tensor& x, const at::Tensor& t) override { return base_->forward(x, t) + correction_->forward(x, t); }
    std::string kind() const override { return "corrected_test_field"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    std::vector<int64_t> eventShape() const override { return base_->eventShape(); }

private:
    std::shared_ptr<ada::VectorField> base_;
    ada::MLPVectorField correction_{nullptr};
};

std::shared_ptr<adatest::GaussianField> gaussian1D(double mean, double variance) {
    return std::make_shared<adatest::GaussianField>(at::tensor({mean}, at::kDouble), at::tensor({variance}, at::kDouble).reshape({1, 1}));
}

}  // namespace

TEST(AdjointMatchingReward, GradientByAutograd) {
    ada::FunctionReward reward([](const at::Tensor& x) { return -(x * x).sum(1) + x.select(1, 0); });
    const at::Tensor x = at::tensor({0.5, -1.0, 2.0, 3.0}, at::kDouble).reshape({2, 2});
    EXPECT_TRUE(at::allclose(reward.value(x), at::tensor({-0.75, -11.0}, at::kDouble)));
    EXPECT_TRUE(at::allclose(reward.gradient(x), at::tensor({0.0, 2.0, -3.0, -6.0}, at::kDouble).reshape({2, 2})));
    EXPECT_FALSE(reward.gradient(x).requires_grad());
    ada::FunctionReward constant([](const at::Tensor& x) { return at::zeros({x.size(0)}, x.options()); });
    EXPECT_EQ(maxAbs(constant.gradient(x)), 0.0);
    ada::FunctionReward wrongShape([](const at::Tensor& x) { return x.sum(); });
    EXPECT_THROW(wrongShape.gradient(x), ada::SpecError);
}

TEST(AdjointMatchingLeanAdjoint, MatchesTheClosedFormForALinearDrift) {
    // v = A x gives b = (2A − I/t) x, so dã/dt = −(2A − I/t)ᵀ ã and ã(t) = t · exp(2Aᵀ(1 − t)) ã(1); as rows
    // [B, D]: ã(t) = t · ã(1) exp(2A(1 − t)). The drift is linear, so the trajectory does not matter.
    const at::Tensor a = at::tensor({-0.3, 0.8, -0.5, 0.2}, at::kDouble).reshape({2, 2});
    adatest::LinearField field(a);
    ada::MemorylessSDEOptions options;
    options.steps = 4000;
    options.tMin = 0.05;
    const ada::MemorylessSDE sde(options);
    at::Generator g = generator(3);
    const int64_t k = options.steps;
    const at::Tensor trajectory = at::randn({k + 1, 5, 2}, g, at::kDouble);
    const at::Tensor terminal = at::randn({5, 2}, g, at::kDouble);
    const at::Tensor adjoint = ada::leanAdjoint(field, trajectory, sde.times(), terminal);
    ASSERT_EQ(adjoint.sizes(), trajectory.sizes());
    EXPECT_TRUE(at::equal(adjoint[k], terminal));
    for (int64_t i : {int64_t(0), k / 10, k / 2, k - 1}) {
        const double t = sde.times()[static_cast<size_t>(i)];
        const at::Tensor exact = t * at::matmul(terminal, at::linalg_matrix_exp(2.0 * (1.0 - t) * a));
        // Explicit Euler: O(h) with h = 2.4e-4 (the 1/t term dominates near t_min).
        EXPECT_LT(maxAbs(adjoint[i] - exact), 2e-3 * maxAbs(exact)) << "t = " << t;
    }
    EXPECT_THROW(ada::leanAdjoint(field, trajectory.narrow(0, 0, k), sde.times(), terminal), ada::SpecError);
    EXPECT_THROW(ada::leanAdjoint(field, trajectory, sde.times(), terminal.narrow(0, 0, 4)), ada::SpecError);
}

TEST(AdjointMatchingTrainer, LossIsZeroAtInitialisationWithoutReward) {
    auto base = gaussian1D(1.0, 0.25);
    auto model = std::make_shared<CorrectedField>(base, 1);
    auto zero = std::make_shared<ada::FunctionReward>([](const at::Tensor& x) { return 0.0 * x.sum(1); });
    ada::AdjointMatchingTrainer trainer(base, model, zero, ada::AdjointMatchingTrainerOptions().trajectories(16).sdeSteps(20));
    const ada::AdjointMatchingRollout r = trainer.rollout();
    ASSERT_EQ(r.trajectory.sizes(), (at::IntArrayRef{21, 16, 1}));
    EXPECT_EQ(maxAbs(r.adjoint), 0.0);
    EXPECT_EQ(trainer.loss(r).item<double>(), 0.0);
    EXPECT_EQ(trainer.rewardGradientEvaluations(), 16);

    // With a reward and v_θ = v_base the loss is the mean of σ(t)²ã(t)² over the points, and differentiable.
    auto tilt = std::make_shared<ada::FunctionReward>([](const at::Tensor& x) { return -2.0 * x.sum(1); });
    ada::AdjointMatchingTrainer tilted(base, model, tilt, ada::AdjointMatchingTrainerOptions().trajectories(16).sdeSteps(20));
    const ada::AdjointMatchingRollout s = tilted.rollout();
    EXPECT_TRUE(at::allclose(s.adjoint[20], at::full({16, 1}, 2.0, at::kDouble)));
    const at::Tensor t = at::tensor(s.times, at::kDouble).narrow(0, 0, 20).reshape({20, 1, 1});
    const double expected = ((2.0 * (1.0 - t) / t) * s.adjoint.narrow(0, 0, 20).pow(2)).mean().item<double>();
    const at::Tensor l = tilted.loss(s);
    EXPECT_NEAR(l.item<double>(), expected, 1e-10 * expected);
    EXPECT_TRUE(l.requires_grad());
    EXPECT_THROW(tilted.loss(s, at::tensor({20}, at::kLong)), ada::SpecError);  // σ(1) = 0
    EXPECT_THROW(ada::AdjointMatchingTrainer(base, model, tilt, ada::AdjointMatchingTrainerOptions().tMin(0.0)), ada::SpecError);
}

TEST(AdjointMatchingTrainer, TiltsAGaussianToTheKnownTarget) {
    // Base N(1, 0.5²) by its exact flow-matching field; r(x) = −2x; p* ∝ N(1, 0.25)·e^{−2x} = N(0.5, 0.25).
    at::manual_seed(1);  // the MLP's initial weights
    auto base = gaussian1D(1.0, 0.25);
    auto model = std::make_shared<CorrectedField>(base, 1);
    auto reward = std::make_shared<ada::FunctionReward>([](const at::Tensor& x) { return -2.0 * x.sum(1); });
    const auto options = ada::AdjointMatchingTrainerOptions()
                             .iterations(600)
                             .trajectories(64)
                             .timePoints(20)
                             .learningRate(3e-3)
                             .sdeSteps(100)
                             .tMin(1e-2)
                             .seed(7)
                             .progressEvery(100);
    ada::AdjointMatchingTrainer trainer(base, model, reward, options);
    int reports = 0;
    trainer.setProgressCallback([&](const ada::AdjointMatchingProgress& p) {
        ++reports;
        std::printf("iteration %lld/%lld  loss %.4f  reward %.4f  %.1f it/s\n", static_cast<long long>(p.iteration),
                    static_cast<long long>(p.totalIterations), p.loss, p.meanReward, p.iterationsPerSecond);
    });
    const auto start = std::chrono::steady_clock::now();
    trainer.train();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(trainer.iteration(), 600);
    EXPECT_EQ(trainer.gradientUpdates(), 600);
    EXPECT_EQ(trainer.rewardGradientEvaluations(), 600 * 64);
    EXPECT_EQ(reports, 6);

    at::Generator g = generator(123);
    const at::Tensor x = trainer.sde().sample(*model, 20000, g).samples;
    const double mean = x.mean().item<double>(), sd = x.std().item<double>();
    std::printf("fine-tuned SDE samples: mean %.4f  sd %.4f  (target 0.5, 0.5; %.1f s training)\n", mean, sd, seconds);
    EXPECT_NEAR(mean, 0.5, 0.1);
    EXPECT_NEAR(sd, 0.5, 0.1);

    // At convergence the fine-tuned velocity also drives the probability-flow ODE to the tilt (§3.2).
    const at::Tensor y = ada::sampleByOde(*model, 20000, ada::OdeOptions::rk4(100), g).samples;
    std::printf("fine-tuned ODE samples: mean %.4f  sd %.4f\n", y.mean().item<double>(), y.std().item<double>());
    EXPECT_NEAR(y.mean().item<double>(), 0.5, 0.1);
    EXPECT_NEAR(y.std().item<double>(), 0.5, 0.1);
}
