// The critics' weight average (ada/align/ObservableCritics.h, options.average = δ): after every Adam step
//   f̄ ← δ f̄ + (1 − δ) f,  f̄ starting at the (standardised) initial critics,
// and f̄, not the trained f, defines the tilt w ∝ exp(a − β F̄), the potential and the export. The training itself
// (the trained critics, the dual) must not change with δ.
#include <gtest/gtest.h>

#include <vector>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "SpecErrorMessage.h"
#include "ada/align/ObservableCritics.h"
#include "ada/io/Bundle.h"

namespace {

constexpr double beta = 5.0;

ada::AlignmentTarget shiftedTarget(at::Generator& g) {
    ada::AlignmentTarget t;
    t.name = "x";
    t.observe = [](const at::Tensor& x) { return x.reshape({x.size(0), 1}); };
    t.data = 0.5 + at::randn({500, 1}, g, at::kDouble);
    return t;
}

ada::ObservableCriticsOptions criticOptions(double average) {
    ada::ObservableCriticsOptions o;
    o.beta = beta;
    o.steps = 1;
    o.hidden = 16;
    o.learningRate = 1e-2;
    o.average = average;
    return o;
}

std::vector<at::Tensor> parametersOf(const ada::Critic& critic) {
    std::vector<at::Tensor> out;
    for (const at::Tensor& p : critic->parameters())
        out.push_back(p.detach().clone());
    return out;
}

}  // namespace

TEST(CriticAverage, IsTheMovingAverageOfTheTrainedCriticsAndDefinesTheTilt) {
    constexpr double decay = 0.8;
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(3);
    const ada::AlignmentTarget target = shiftedTarget(g);
    const at::Tensor pool = at::randn({400, 1}, g, at::kDouble);
    ada::ObservableCritics averaged({target}, criticOptions(decay)), plain({target}, criticOptions(0.0));

    std::vector<at::Tensor> expected = parametersOf(plain.critic(0));
    for (int k = 0; k < 6; ++k) {
        const double dualAveraged = averaged.update({pool}), dualPlain = plain.update({pool});
        EXPECT_EQ(dualAveraged, dualPlain) << "the average changed the training";
        const std::vector<at::Tensor> trained = parametersOf(plain.critic(0));
        for (size_t p = 0; p < expected.size(); ++p)
            expected[p] = decay * expected[p] + (1 - decay) * trained[p];
    }
    const std::vector<at::Tensor> average = parametersOf(averaged.tiltCritic(0)), trainedAveraged = parametersOf(averaged.critic(0));
    const std::vector<at::Tensor> trainedPlain = parametersOf(plain.critic(0));
    double moved = 0;
    for (size_t p = 0; p < expected.size(); ++p) {
        EXPECT_TRUE(at::equal(trainedAveraged[p], trainedPlain[p]));
        EXPECT_LT((average[p] - expected[p]).abs().max().item<double>(), 1e-12);
        moved = std::max(moved, (average[p] - trainedPlain[p]).abs().max().item<double>());
    }
    EXPECT_GT(moved, 1e-4) << "the average equals the last iterate: nothing was averaged";

    // The tilt, the potential and the export are the average's; without an average they are the trained critics'.
    torch::NoGradGuard noGrad;
    const at::Tensor fBar = averaged.tiltCritic(0)->forward(pool), f = plain.critic(0)->forward(pool);
    EXPECT_LT((averaged.weights({pool}) - at::softmax(-beta * fBar, 0)).abs().max().item<double>(), 1e-14);
    EXPECT_LT((plain.weights({pool}) - at::softmax(-beta * f, 0)).abs().max().item<double>(), 1e-14);
    EXPECT_GT((averaged.weights({pool}) - plain.weights({pool})).abs().max().item<double>(), 1e-6);
    EXPECT_TRUE(at::equal(averaged.trainedWeights({pool}), plain.weights({pool})));
    EXPECT_TRUE(at::equal(plain.trainedWeights({pool}), plain.weights({pool})));
    EXPECT_LT((averaged.potentialOfObservables({pool}) - fBar).abs().max().item<double>(), 1e-14);
    EXPECT_LT((averaged.potential(pool) - fBar).abs().max().item<double>(), 1e-14);
    EXPECT_LT((plain.potential(pool) - f).abs().max().item<double>(), 1e-14);
}

TEST(CriticAverage, SurvivesACheckpointAndABadOneChangesNothing) {
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(4);
    const ada::AlignmentTarget target = shiftedTarget(g);
    const at::Tensor pool = at::randn({300, 1}, g, at::kDouble);
    ada::ObservableCritics first({target}, criticOptions(0.9));
    for (int k = 0; k < 5; ++k)
        first.update({pool});
    ada::Bundle bundle;
    first.store(bundle, "critics.");
    ASSERT_TRUE(bundle.tensors.count("critics.average.0.output.weight"));

    // Restored, the second run continues exactly as the first.
    ada::ObservableCritics second({target}, criticOptions(0.9));
    second.restore(bundle, "checkpoint", "critics.");
    EXPECT_TRUE(at::equal(first.weights({pool}), second.weights({pool})));
    first.update({pool});
    second.update({pool});
    EXPECT_TRUE(at::equal(first.weights({pool}), second.weights({pool})));

    // Without the average's tensors the restore fails, naming one, and leaves the critics as they were.
    ada::ObservableCritics third({target}, criticOptions(0.9));
    third.update({pool});
    const at::Tensor before = third.weights({pool}), trainedBefore = third.critic(0)->forward(pool).detach();
    ada::Bundle broken = bundle;
    broken.tensors.erase("critics.average.0.output.weight");
    expectSpecError([&] { third.restore(broken, "checkpoint", "critics."); }, "critics.average.0.output.weight");
    EXPECT_TRUE(at::equal(before, third.weights({pool})));
    EXPECT_TRUE(at::equal(trainedBefore, third.critic(0)->forward(pool).detach()));
}

TEST(CriticAverage, OptionIsCheckedAndKeptInJson) {
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(5);
    const ada::AlignmentTarget target = shiftedTarget(g);
    expectSpecError([&] { ada::ObservableCritics({target}, criticOptions(1.0)); }, "average in [0, 1)");
    expectSpecError([&] { ada::ObservableCritics({target}, criticOptions(-0.1)); }, "average in [0, 1)");
    const ada::ObservableCriticsOptions back = ada::ObservableCriticsOptions::fromJson(criticOptions(0.95).toJson(), "critics");
    EXPECT_DOUBLE_EQ(back.average, 0.95);
    EXPECT_DOUBLE_EQ(ada::ObservableCriticsOptions::fromJson(nlohmann::json::object(), "critics").average, 0.0);
    EXPECT_FALSE(criticOptions(0.0).toJson().contains("average"));  // older checkpoints' options still match
}
