// ADA (DESIGN.md §3.3): the analytic Gaussian-mixture base and its residual fine-tuning field; the ADA loop on a
// 1-D mixture whose target changes both weights and widths (ADA must beat expectation alignment, whose
// quadratic tilt cannot change the two widths independently), Lipschitz critics, the exported bias, exact
// resume, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/autograd.h>
#include <torch/utils.h>

#include "SpecErrorMessage.h"
#include "ada/align/AdversarialAlignment.h"
#include "ada/align/AlignmentTarget.h"
#include "ada/align/ExpectationAlignment.h"
#include "ada/bias/BiasSpecification.h"
#include "ada/flow/LogLikelihood.h"
#include "ada/io/SpecError.h"
#include "ada/metrics/KernelDensityResidual.h"
#include "ada/models/GaussianMixtureField.h"
#include "ada/models/ModelBundle.h"
#include "ada/models/ResidualVectorField.h"
#include "ada/soc/Reward.h"
#include "ada/flow/FlowMatchingLoss.h"
#include "ada/flow/MemorylessSDE.h"
#include <torch/optim/adam.h>

namespace {

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

std::vector<double> values(const at::Tensor& t) {
    const at::Tensor c = t.to(at::kDouble).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// Base: ½ N(−1, 0.3²) + ½ N(1, 0.3²). Target: 0.3 N(−1, 0.15²) + 0.7 N(1, 0.45²).
std::shared_ptr<ada::GaussianMixtureField> mixture(double w0, double w1, double s0, double s1) {
    return std::make_shared<ada::GaussianMixtureField>(at::tensor({w0, w1}, at::kDouble), at::tensor({-1.0, 1.0}, at::kDouble).reshape({2, 1}),
                                                       at::tensor({s0 * s0, s1 * s1}, at::kDouble).reshape({2, 1}));
}

ada::AlignmentTarget identityTarget(const at::Tensor& data) {
    ada::AlignmentTarget t;
    t.name = "x";
    t.observe = [](const at::Tensor& x) { return x.reshape({x.size(0), 1}); };
    t.data = data;
    t.observable = {{"type", "coordinates"}, {"atoms", {0}}, {"components", "x"}};
    return t;
}

ada::AdversarialAlignmentOptions smallOptions(int64_t rounds) {
    ada::AdversarialAlignmentOptions o;
    o.beta = 20.0;
    o.rounds = rounds;
    o.samplesPerRound = 512;
    o.poolSize = 4000;
    o.criticWarmup = 3000;
    o.generatorIterations = 20;
    o.flowLearningRate = 3e-3;
    o.adjoint.trajectories(128).sdeSteps(40).learningRate(3e-3).timePoints(20);
    o.critics.hidden = 32;
    o.critics.steps = 10;
    o.critics.penalty = 100.0;
    o.critics.learningRate = 1e-2;
    o.seed = 5;
    return o;
}

std::shared_ptr<ada::ResidualVectorField> residual(std::shared_ptr<ada::VectorField> base) {
    torch::manual_seed(7);
    return std::make_shared<ada::ResidualVectorField>(
        base, ada::MLPVectorFieldOptions(base->flatDimension()).hidden(64).layers(2).timeEmbedding(16).maxFrequency(10.0));
}

}  // namespace

TEST(GaussianMixtureFieldTest, FlowLikelihoodEqualsTheMixtureDensity) {
    // Exact likelihood by the change of variables along the field's flow (flow/LogLikelihood.h) against the
    // closed-form mixture density: a wrong velocity moves probability mass and breaks the agreement.
    auto field = std::make_shared<ada::GaussianMixtureField>(at::tensor({0.2, 0.5, 0.3}, at::kDouble),
                                                             at::tensor({-1.0, 0.5, 1.0, 1.0, 0.0, -1.5}, at::kDouble).reshape({3, 2}),
                                                             at::tensor({0.1, 0.2, 0.3, 0.05, 0.2, 0.2}, at::kDouble).reshape({3, 2}));
    at::Generator g = generator(1);
    const at::Tensor x = field->sample(64, g);
    const ada::LikelihoodResult result = ada::logLikelihood(*field, x);
    EXPECT_LT((result.logLikelihood - field->logDensity(x)).abs().max().item<double>(), 2e-3);
    // The time-0 field of the interpolant: v(x, 0) = E[x1] − x.
    const at::Tensor v0 = field->forward(x, at::zeros({}, at::kDouble));
    const at::Tensor mean = (field->weights().unsqueeze(1) * field->means()).sum(0);
    EXPECT_LT((v0 - (mean - x)).abs().max().item<double>(), 1e-12);
}

TEST(GaussianMixtureFieldTest, RoundTripsThroughABundleAndRejectsBadParameters) {
    auto field = mixture(0.5, 0.5, 0.3, 0.3);
    auto model = residual(field);
    const at::Tensor x = at::linspace(-2, 2, 9, at::kDouble).reshape({9, 1});
    const at::Tensor t = at::full({9}, 0.4, at::kDouble);
    EXPECT_EQ((model->forward(x, t) - field->forward(x, t)).abs().max().item<double>(), 0.0);  // zero correction at start
    {
        torch::NoGradGuard noGrad;
        for (auto& p : model->correction()->parameters())
            p.add_(0.01);
    }
    const std::string path = std::string(ADA_TEST_TMPDIR) + "/residual_mixture.bundle";
    ada::saveVectorField(*model, path);
    auto loaded = ada::loadVectorField(path);
    EXPECT_EQ(loaded->kind(), "residual_vector_field");
    EXPECT_LT((loaded->forward(x, t) - model->forward(x, t)).abs().max().item<double>(), 1e-12);
    EXPECT_GT((loaded->forward(x, t) - field->forward(x, t)).abs().max().item<double>(), 1e-3);
    expectSpecError([] { ada::GaussianMixtureField(at::tensor({1.0, -1.0}, at::kDouble), at::zeros({2, 1}, at::kDouble), at::ones({2, 1}, at::kDouble)); },
                    "positive");
    expectSpecError([] { ada::GaussianMixtureField(at::tensor({1.0}, at::kDouble), at::zeros({2, 1}, at::kDouble), at::ones({2, 1}, at::kDouble)); },
                    "expected weights [K]");
}

TEST(AdversarialAlignmentTest, BeatsExpectationAlignmentOnAOneDimensionalMixture) {
    auto base = mixture(0.5, 0.5, 0.3, 0.3);
    auto target = mixture(0.3, 0.7, 0.15, 0.45);
    at::Generator g = generator(11);
    const at::Tensor data = target->sample(4000, g);
    const at::Tensor reference = target->sample(2000, g);  // independent draw for the residuals

    ada::AdversarialAlignment ada(base, residual(base), {identityTarget(data)}, smallOptions(40));
    ada.train();
    at::Generator sampling = generator(12);
    const at::Tensor aligned = ada.sample(2000, sampling);
    const double adaResidual = ada::kernelDensityResidual(values(aligned), values(reference), 1);

    // EA with K = 2 (mean and variance), the exact tilt of 20000 base samples, resampled to 2000.
    const at::Tensor pool = base->sample(20000, g);
    ada::ExpectationAlignment ea({pool}, {data}, ada::ExpectationAlignmentOptions().order(2));
    ea.align();
    ASSERT_TRUE(ea.converged());
    const at::Tensor eaSamples = pool.index_select(0, at::multinomial(ea.weights(), 2000, true, g));
    const double eaResidual = ada::kernelDensityResidual(values(eaSamples), values(reference), 1);
    const double baseResidual = ada::kernelDensityResidual(values(base->sample(2000, g)), values(reference), 1);
    const double baseGap = ada.critics().gaps({base->sample(4000, g)})[0];
    const double floor = ada::kernelDensityResidual(values(target->sample(2000, g)), values(reference), 1);
    const at::Tensor tiltWeights = ada.critics().weights(ada.pool());
    const at::Tensor tilted = ada.pool()[0].index_select(0, at::multinomial(tiltWeights, 2000, true, g));
    const double tiltResidual = ada::kernelDensityResidual(values(tilted), values(reference), 1);
    std::printf("l1 residual: base %.3f  EA-2 %.3f  ADA tilt %.3f  ADA generator %.3f  floor %.3f;  KL estimate %.3f;  gap base %.3f "
                "first %.3f last %.3f\n", baseResidual, eaResidual, tiltResidual, adaResidual, floor, ada.history().back().kl, baseGap,
                ada.history().front().w1[0], ada.history().back().w1[0]);
    // The tilt the critics define (what the exported bias makes MD sample): well below EA-2, near the floor.
    EXPECT_LT(tiltResidual, 0.5 * eaResidual);
    EXPECT_LT(tiltResidual, 4.0 * floor);
    EXPECT_NEAR((tilted > 0).to(at::kDouble).mean().item<double>(), 0.7, 0.04);
    // The generator learns toward it (flow matching of a sharp bimodal density is slow: only loosely here).
    EXPECT_LT(adaResidual, 0.75 * baseResidual);
    EXPECT_GT((aligned > 0).to(at::kDouble).mean().item<double>(), 0.58);
    EXPECT_LT(ada.history().back().w1[0], 0.7 * baseGap);
    EXPECT_GT(ada.history().back().kl, 0.0);

    // Critics stay Lipschitz on model and data samples. The penalty is soft: at beta = 20 the dual pulls the
    // slope above 1 where the target is narrower than the base (in the tails, where the unconstrained optimum
    // -(1/beta) log(nu / mu_base) is steepest), and lambda = 100 balances that pull at a small excess, which
    // the largest |f'| over 6000 samples shows: 1.09 and 1.16 on two machines (the training is chaotic, and
    // BLAS kernels differ between CPUs). The bulk is held at 1: 99 % of the samples have |f'| <= 1.05.
    // (lambda = 150-200 kept the maximum lower but the dual then converged too slowly for the test budget; a
    // cosine decay of the critics' rate over this short run held it to 1.015 but left the tilt unconverged.)
    // An unpenalised critic has slopes near 3 in those tails.
    ada::Critic critic = ada.critics().critic(0);
    for (const at::Tensor& y : {aligned.to(at::kDouble), data}) {
        const at::Tensor yy = y.clone().requires_grad_(true);
        const at::Tensor grad = torch::autograd::grad({critic->forward(yy).sum()}, {yy})[0].abs().reshape({-1});
        const double largest = grad.max().item<double>(), bulk = at::quantile(grad, 0.99).item<double>();
        std::printf("|f'| on %ld samples: 99th percentile %.3f, largest %.3f\n", static_cast<long>(grad.numel()), bulk, largest);
        EXPECT_LE(bulk, 1.05);
        EXPECT_LE(largest, 1.25);
    }

    // The exported term is β f as a spline (U_bias/kT at ada_lambda = 1).
    const nlohmann::json terms = ada.critics().biasTerms(ada.options().beta, {aligned.reshape({-1, 1})}, ADA_TEST_TMPDIR);
    ASSERT_EQ(terms.size(), 1u);
    EXPECT_EQ(terms[0]["function"]["type"], "spline");
    const ada::BiasSpecification spec = ada::BiasSpecification::fromJsonText(
        nlohmann::json({{"temperature", 300.0}, {"terms", terms}}).dump(), "exported");
    for (double y : {-1.2, -0.5, 0.3, 1.1}) {
        double position[3] = {y, 0.0, 0.0}, value = 0;
        spec.term(0).observable->evaluate(position, ada::PeriodicBox(), &value, nullptr);
        const double exported = spec.term(0).function->evaluate(&value, nullptr);
        at::NoGradGuard noGrad;
        const double direct = critic->forward(at::tensor({y}, at::kDouble).reshape({1, 1})).item<double>();
        EXPECT_NEAR(exported, ada.options().beta * direct, 1e-3) << "at y = " << y;
    }
}

TEST(AdversarialAlignmentTest, ResumesBitwiseFromACheckpoint) {
    auto base = mixture(0.5, 0.5, 0.3, 0.3);
    at::Generator g = generator(3);
    const at::Tensor data = mixture(0.3, 0.7, 0.15, 0.45)->sample(500, g);
    ada::AdversarialAlignmentOptions o = smallOptions(4);
    o.samplesPerRound = 64;
    o.poolSize = 200;
    o.criticWarmup = 10;
    o.generatorIterations = 2;
    o.adjoint.trajectories(16).sdeSteps(10).timePoints(0);
    o.critics.finalLearningRateFraction = 0.1;  // the schedule is a function of the restored step count
    o.generatorAverage = 0.9;                   // the aligned model is the weight average, also restored
    const std::string path = std::string(ADA_TEST_TMPDIR) + "/ada_resume.bundle";

    ada::AdversarialAlignment straight(base, residual(base), {identityTarget(data)}, o);
    straight.train();

    ada::AdversarialAlignmentOptions first = o;
    first.checkpointPath = path;
    {
        ada::AdversarialAlignment interrupted(base, residual(base), {identityTarget(data)}, first);
        interrupted.train(2);
    }
    ada::AdversarialAlignment resumed(base, residual(base), {identityTarget(data)}, o);
    resumed.restoreCheckpoint(path);
    EXPECT_EQ(resumed.history().size(), 2u);
    resumed.train();
    ASSERT_EQ(resumed.history().size(), straight.history().size());
    for (size_t r = 0; r < straight.history().size(); ++r) {
        EXPECT_EQ(resumed.history()[r].w1[0], straight.history()[r].w1[0]) << "round " << r;
        EXPECT_EQ(resumed.history()[r].loss, straight.history()[r].loss) << "round " << r;
    }
    const auto a = straight.model().parameters(), b = resumed.model().parameters();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_TRUE(at::equal(a[i], b[i]));
    const auto averageA = straight.aligned().parameters(), averageB = resumed.aligned().parameters();
    ASSERT_EQ(averageA.size(), a.size());
    bool averaged = false;  // the average lags the trained weights
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_TRUE(at::equal(averageA[i], averageB[i]));
        averaged = averaged || !at::equal(averageA[i], a[i]);
    }
    EXPECT_TRUE(averaged);

    // A checkpoint of another alignment is refused and changes nothing.
    ada::AdversarialAlignmentOptions other = o;
    other.beta = 2.0;
    ada::AdversarialAlignment different(base, residual(base), {identityTarget(data)}, other);
    expectSpecError([&] { different.restoreCheckpoint(path); }, "options");
    EXPECT_TRUE(different.history().empty());
    expectSpecError([&] { different.restoreCheckpoint(std::string(ADA_TEST_TMPDIR) + "/no_such_checkpoint.bundle"); }, "no_such_checkpoint");
}

TEST(AdversarialAlignmentTest, UsesAGivenBasePoolAndDecaysTheCriticsLearningRate) {
    auto base = mixture(0.5, 0.5, 0.3, 0.3);
    at::Generator g = generator(5);
    const at::Tensor data = mixture(0.3, 0.7, 0.15, 0.45)->sample(300, g);
    const at::Tensor exact = base->sample(150, g);
    ada::AdversarialAlignmentOptions o = smallOptions(2);
    o.samplesPerRound = 32;
    o.criticWarmup = 10;
    o.generatorIterations = 1;
    o.adjoint.trajectories(8).sdeSteps(10).timePoints(0);
    o.critics.finalLearningRateFraction = 0.1;
    ada::AdversarialAlignment ada(base, residual(base), {identityTarget(data)}, o);
    expectSpecError([&] { ada.setPool(exact.reshape({150, 1, 1})); }, "shape");
    expectSpecError([&] { ada.setPool(exact.narrow(0, 0, 1)); }, "at least 2");
    at::Tensor broken = exact.clone();
    broken[3][0] = std::nan("");
    expectSpecError([&] { ada.setPool(broken); }, "NaN");
    ada.setPool(exact);
    EXPECT_EQ(ada.options().poolSize, 150);
    ada.train();
    ASSERT_EQ(ada.pool().size(), 1u);
    EXPECT_TRUE(at::equal(ada.pool()[0], exact.to(at::kDouble)));  // the given samples, not SDE draws
    expectSpecError([&] { ada.setPool(exact); }, "before the first round");
    // The cosine spans the warm-up and the rounds' critic updates: at its end the rate is the final fraction.
    const double peak = o.critics.learningRate;
    EXPECT_EQ(ada.critics().steps(), 10 + 2 * o.critics.steps);
    EXPECT_NEAR(ada.critics().learningRate(), 0.1 * peak, 1e-15);
}

TEST(AlignmentTargetTest, RejectsBadObservableData) {
    ada::DataPreparation prep;
    prep.atoms = {0, 1, 2, 5};
    prep.numSystemAtoms = 8;
    prep.scale = 0.5;
    const std::vector<int64_t> shape{4, 3};
    const nlohmann::json distance = {{"type", "distance"}, {"atoms", {1, 5}}};
    // Good: the distance between system atoms 1 and 5 = model particles 1 and 3, in nm (x = s·y).
    ada::AlignmentTarget t = ada::modelObservableTarget("d", distance, prep, shape, at::ones({10, 1}, at::kDouble), "obs.json: d");
    at::Tensor y = at::zeros({1, 4, 3}, at::kDouble);
    y[0][3][0] = 2.0;  // particle 3 at x = 2 (model units) = 1 nm
    EXPECT_NEAR(t.observe(y).item<double>(), 1.0, 1e-12);
    expectSpecError([&] { ada::modelObservableTarget("d", distance, prep, shape, at::ones({10, 2}, at::kDouble), "obs.json: d"); },
                    "dimension 2");
    expectSpecError([&] { ada::modelObservableTarget("d", distance, prep, shape, at::full({10, 1}, NAN, at::kDouble), "obs.json: d"); }, "NaN");
    expectSpecError([&] { ada::modelObservableTarget("d", distance, prep, shape, at::ones({0, 1}, at::kDouble), "obs.json: d"); }, "empty");
    expectSpecError([&] { ada::modelObservableTarget("d", {{"type", "distance"}, {"atoms", {1, 4}}}, prep, shape, at::ones({3, 1}, at::kDouble), "obs.json: d"); },
                    "atom 4, which the model does not contain");
    expectSpecError([&] { ada::modelObservableTarget("d", {{"type", "nonsense"}, {"atoms", {1}}}, prep, shape, at::ones({3, 1}, at::kDouble), "obs.json: d"); },
                    "obs.json: d");
}


