// Critics of image observables (DESIGN.md §3.3; ada/align/Critic.h, options.image): a CNN ahead of the MLP,
// exported exactly as an MLPFunction whose first layers are the same convolutions (Convolution2D.h); and
// the contact map (ada/observables/ContactMap.h), the image observable they are made for.
// Known answer: four atoms are either a square (side 0.4 nm) or a straight chain (spacing 0.4 nm), half and half
// in the base pool; the "experiment" has 80 % squares. The classes differ only in their contact maps, whose
// within-class distributions are the same in pool and data, so the exact tilt of the pool matching the data
// gives the squares the weight 0.8; at β = 10 it needs a critic difference of log(0.8/0.2)/10 = 0.14 between
// maps about 1.2 apart, well inside the Lipschitz bound. The exported bias term (contact_map observable, mlp
// function) must give β f(o(x)) and its gradient through the observable's Jacobian.
#include <gtest/gtest.h>

#include <cmath>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/autograd.h>

#include "SpecErrorMessage.h"
#include "ada/align/Critic.h"
#include "ada/align/CriticTrainer.h"
#include "ada/align/ObservableCritics.h"
#include "ada/bias/BiasSpecification.h"
#include "ada/io/Bundle.h"
#include "ada/observables/Observable.h"

namespace {

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// Worst |exported − torch| over y [B, d] of values and gradients.
std::pair<double, double> exportError(ada::Critic& critic, const ada::BiasFunction& exported, const at::Tensor& y) {
    const at::Tensor yg = y.detach().clone().requires_grad_(true);
    const at::Tensor f = critic->forward(yg);
    const at::Tensor g = torch::autograd::grad({f.sum()}, {yg})[0];
    std::vector<double> grad(static_cast<size_t>(y.size(1)));
    double worstValue = 0, worstGradient = 0;
    for (int64_t b = 0; b < y.size(0); ++b) {
        const at::Tensor row = y[b].contiguous();
        worstValue = std::max(worstValue, std::abs(exported.evaluate(row.data_ptr<double>(), grad.data()) - f[b].item<double>()));
        for (int64_t k = 0; k < y.size(1); ++k)
            worstGradient = std::max(worstGradient, std::abs(grad[static_cast<size_t>(k)] - g[b][k].item<double>()));
    }
    return {worstValue, worstGradient};
}

// Configurations [n, 4, 3] in nm: a square (class 1) or a straight chain (class 0) of side / spacing 0.4, each
// randomly rotated about z, shifted, and with N(0, 0.03²) noise per coordinate.
at::Tensor squaresAndChains(const at::Tensor& isSquare, at::Generator& g) {
    const int64_t n = isSquare.size(0);
    const at::Tensor square = at::tensor({0.0, 0.0, 0.0, 0.4, 0.0, 0.0, 0.4, 0.4, 0.0, 0.0, 0.4, 0.0}, at::kDouble).reshape({4, 3});
    const at::Tensor chain = at::tensor({0.0, 0.0, 0.0, 0.4, 0.0, 0.0, 0.8, 0.0, 0.0, 1.2, 0.0, 0.0}, at::kDouble).reshape({4, 3});
    const at::Tensor shape = at::where(isSquare.reshape({n, 1, 1}), square, chain);
    const at::Tensor angle = 2 * M_PI * at::rand({n}, g, at::kDouble);
    const at::Tensor c = at::cos(angle), s = at::sin(angle), zero = at::zeros_like(angle), one = at::ones_like(angle);
    const at::Tensor rotation = at::stack({c, -s, zero, s, c, zero, zero, zero, one}, 1).reshape({n, 3, 3});
    return at::matmul(shape, rotation.transpose(1, 2)) + at::randn({n, 1, 3}, g, at::kDouble) + 0.03 * at::randn({n, 4, 3}, g, at::kDouble);
}

const nlohmann::json kContactMap = {{"type", "contact_map"}, {"atoms", {0, 1, 2, 3}}, {"r0", 0.5}};

}  // namespace

TEST(ImageCriticExport, ConvolutionLayersReproduceTheTorchCriticExactly) {
    at::Generator g = generator(3);
    for (const std::string activation : {"softplus", "tanh"}) {
        SCOPED_TRACE(activation);
        // A 5 x 7 image: odd sizes, so that the stride-2 convolution's padding at the far edges is exercised.
        ada::Critic critic(ada::CriticOptions(35).image({5, 7}).channels(3).hidden(16).layers(2).activation(activation).seed(2));
        critic->to(at::kDouble);
        const at::Tensor ym = 0.5 + 0.2 * at::randn({300, 35}, g, at::kDouble), yd = 0.2 * at::randn({300, 35}, g, at::kDouble);
        ada::CriticTrainer(critic, ada::CriticTrainerOptions().steps(20).batch(64)).train(ym, yd);
        // One shift and scale for all pixels.
        EXPECT_TRUE(critic->standardized());
        EXPECT_NEAR(critic->inputShift()[0].item<double>(), 0.25, 0.03);
        EXPECT_EQ(critic->inputShift()[0].item<double>(), critic->inputShift()[34].item<double>());
        EXPECT_EQ(critic->inputScale()[0].item<double>(), critic->inputScale()[17].item<double>());
        EXPECT_EQ(critic->named_parameters().size(), 10u);  // 2 convolutions, 2 hidden layers, output

        const ada::MLPFunction f = critic->toBiasFunction(1.0);
        EXPECT_EQ(f.inputDimension(), 35);
        const at::Tensor y = at::cat({ym.slice(0, 0, 50), 3.0 * at::randn({50, 35}, g, at::kDouble)}, 0);
        const auto [value, gradient] = exportError(critic, f, y);
        EXPECT_LT(value, 1e-10);
        EXPECT_LT(gradient, 1e-10);
        const auto parsed = ada::makeBiasFunction(f.toJson(), "image critic json", false, "");
        EXPECT_LT(exportError(critic, *parsed, y).first, 1e-10);
        const ada::MLPFunction fromBundle = ada::MLPFunction::fromBundle(f.toBundle(), "image critic bundle");
        EXPECT_LT(exportError(critic, fromBundle, y).second, 1e-10);
    }
}

TEST(ImageCriticExport, RejectsBadShapesAndExportsLargeImages) {
    expectSpecError([] { ada::Critic(ada::CriticOptions(12).image({3, 5})); }, "height · width = dimension");
    expectSpecError([] { ada::Critic(ada::CriticOptions(12).image({3, 4}).periodic(true)); }, "no periodic");
    expectSpecError([] { ada::Critic(ada::CriticOptions(12).image({3, 4}).channels(0)); }, "channels >= 1");
    // 64 x 64 with 8 channels: written densely its convolutions would take 32768 x 4096 + 8192 x 32768 entries
    // (3.2 GB); as convolution layers the export is exact and small.
    ada::Critic large(ada::CriticOptions(64 * 64).image({64, 64}).channels(8).hidden(4).layers(1).seed(5));
    large->to(at::kDouble);
    const ada::MLPFunction f = large->toBiasFunction(2.5);
    EXPECT_EQ(f.inputDimension(), 64 * 64);
    EXPECT_EQ(f.toBundle().tensor("layer1.weight", "t").shape, (std::vector<int64_t>{8, 8, 3, 3}));
    at::Generator g = generator(4);
    const at::Tensor y = at::rand({3, 64 * 64}, g, at::kDouble);
    std::vector<double> grad(64 * 64);
    const at::Tensor yg = y.clone().requires_grad_(true);
    const at::Tensor torchValue = 2.5 * large->forward(yg);
    const at::Tensor torchGradient = torch::autograd::grad({torchValue.sum()}, {yg})[0];
    for (int64_t b = 0; b < 3; ++b) {
        const at::Tensor row = y[b].contiguous();
        EXPECT_NEAR(f.evaluate(row.data_ptr<double>(), grad.data()), torchValue[b].item<double>(), 1e-10);
        EXPECT_LT((at::from_blob(grad.data(), {64 * 64}, at::kDouble) - torchGradient[b]).abs().max().item<double>(), 1e-10);
    }
    const ada::CriticOptions back = ada::CriticOptions::fromJson(large->options().toJson(), "options");
    EXPECT_EQ(back.image(), (std::vector<int64_t>{64, 64}));
    EXPECT_EQ(back.channels(), 8);
    expectSpecError([] { ada::CriticOptions::fromJson({{"dimension", 4}, {"image", {2, 0.5}}}, "critic.json"); }, "critic.json.image");
}

TEST(ContactMap, ValuesShapeAndSpecification) {
    // Three atoms: 0-1 at r0 (s = n/m = 1/2), 0-2 at 2 r0 (s = (1 - 2^6)/(1 - 2^12)), 1-2 at sqrt(5) r0.
    const std::vector<double> x = {0, 0, 0, 0.5, 0, 0, 0, 1.0, 0};
    const auto map = ada::makeObservable({{"type", "contact_map"}, {"atoms", {0, 1, 2}}, {"r0", 0.5}}, "t");
    EXPECT_EQ(map->dimension(), 9);
    EXPECT_EQ(map->imageShape(), (std::vector<int64_t>{3, 3}));
    std::vector<double> v(9);
    map->evaluate(x.data(), ada::PeriodicBox(), v.data(), nullptr);
    const double s5 = (1 - std::pow(5.0, 3)) / (1 - std::pow(5.0, 6));
    const std::vector<double> expected = {0, 0.5, 63.0 / 4095, 0.5, 0, s5, 63.0 / 4095, s5, 0};
    for (int k = 0; k < 9; ++k)
        EXPECT_NEAR(v[k], expected[k], 1e-12) << "entry " << k;
    EXPECT_EQ(ada::makeObservable(map->toJson(), "round trip")->toJson(), map->toJson());
    EXPECT_TRUE(ada::makeObservable({{"type", "distance"}, {"atoms", {0, 1}}}, "t")->imageShape().empty());
    expectSpecError([] { ada::makeObservable({{"type", "contact_map"}, {"atoms", {0, 1, 0}}, {"r0", 0.5}}, "obs.json: map"); },
                    "obs.json: map.atoms: contact_map needs distinct atoms (atom 0 is repeated)");
    expectSpecError([] { ada::makeObservable({{"type", "contact_map"}, {"atoms", {3}}, {"r0", 0.5}}, "t"); }, "at least two atoms");
    expectSpecError([] { ada::makeObservable({{"type", "contact_map"}, {"atoms", {0, 1}}, {"r0", 0.0}}, "t"); }, "r0");
}

TEST(ImageCritics, TiltTheContactMapsToTheExperimentsClassWeights) {
    at::Generator g = generator(17);
    const at::Tensor poolSquare = at::arange(2000) % 2 == 0, dataSquare = at::rand({1000}, g) < 0.8;
    const at::Tensor pool = squaresAndChains(poolSquare, g).reshape({2000, 12});
    const at::Tensor data = squaresAndChains(dataSquare, g).reshape({1000, 12});
    const double dataFraction = dataSquare.to(at::kDouble).mean().item<double>();

    ada::DataPreparation preparation;  // the model's samples are the 4 x 3 positions themselves
    const std::vector<int64_t> eventShape = {4, 3};
    ada::AlignmentTarget map = ada::modelObservableTarget("map", kContactMap, preparation, eventShape, at::zeros({1, 16}, at::kDouble), "obs.json: map");
    EXPECT_EQ(map.image, (std::vector<int64_t>{4, 4}));
    map.data = ada::observeTargets({map}, data)[0];
    expectSpecError([&] { ada::modelObservableTarget("map", kContactMap, preparation, eventShape, at::zeros({1, 15}, at::kDouble), "obs.json: map"); },
                    "dimension");

    ada::ObservableCriticsOptions options;
    options.beta = 10.0;
    options.penalty = 100.0;
    options.learningRate = 1e-2;
    options.steps = 50;
    options.hidden = 32;
    options.channels = 4;
    options.finalLearningRateFraction = 0.02;  // at a constant 1e-2 the tilt reaches 0.79 within 50 updates, then
    options.scheduleSteps = 400;               // jumps (0.68-0.80): the cosine decay settles it
    ada::ObservableCritics critics({map}, options);
    const std::vector<at::Tensor> poolMaps = critics.observe(pool);
    for (int i = 0; i < 8; ++i)
        critics.update(poolMaps);
    const at::Tensor w = critics.weights(poolMaps);
    const double squares = (w * poolSquare.to(at::kDouble)).sum().item<double>();
    std::printf("tilted weight of the squares %.4f (experiment %.4f, base 0.5)\n", squares, dataFraction);
    EXPECT_NEAR(squares, dataFraction, 0.03);

    // Lipschitz on pool and data maps (the penalty is soft: see TestAdversarialAlignment).
    ada::Critic critic = critics.critic(0);
    for (const at::Tensor& y : {poolMaps[0], map.data}) {
        const at::Tensor yy = y.clone().requires_grad_(true);
        const double largest = torch::autograd::grad({critic->forward(yy).sum()}, {yy})[0].norm(2, {1}).max().item<double>();
        EXPECT_LE(largest, 1.25);
    }

    // The exported term: U_bias / kT = β f(C(x)) at ada_lambda = 1, with forces through the contact map's Jacobian.
    const nlohmann::json terms = critics.biasTerms(options.beta, poolMaps, ADA_TEST_TMPDIR, "image_critic");
    ASSERT_EQ(terms.size(), 1u);
    EXPECT_EQ(terms[0]["function"]["type"], "mlp");
    EXPECT_EQ(terms[0]["observable"]["type"], "contact_map");
    const ada::BiasSpecification spec =
        ada::BiasSpecification::fromJsonText(nlohmann::json({{"temperature", 300.0}, {"terms", terms}}).dump(), "exported", ADA_TEST_TMPDIR);
    const ada::BiasSpecification::Term& term = spec.term(0);
    for (int64_t b : {0, 1, 7}) {
        std::vector<double> x(pool[b].data_ptr<double>(), pool[b].data_ptr<double>() + 12), c(16), jacobian(16 * 4 * 3), df(16);
        term.observable->evaluate(x.data(), ada::PeriodicBox(), c.data(), jacobian.data());
        const double exported = term.function->evaluate(c.data(), df.data());
        at::NoGradGuard noGrad;
        EXPECT_NEAR(exported, options.beta * critic->forward(poolMaps[0].slice(0, b, b + 1)).item<double>(), 1e-9);
        // dU/dx by the chain rule against central differences of the exported energy.
        for (int coordinate = 0; coordinate < 12; ++coordinate) {
            double chain = 0;
            for (int k = 0; k < 16; ++k)
                chain += df[k] * jacobian[(k * 4 + coordinate / 3) * 3 + coordinate % 3];
            const auto energy = [&](double shift) {
                std::vector<double> y = x, cy(16);
                y[coordinate] += shift;
                term.observable->evaluate(y.data(), ada::PeriodicBox(), cy.data(), nullptr);
                return term.function->evaluate(cy.data(), nullptr);
            };
            EXPECT_NEAR(chain, (energy(1e-6) - energy(-1e-6)) / 2e-6, 1e-5 * std::max(1.0, std::abs(chain)));
        }
    }
}
