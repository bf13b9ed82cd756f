// A per-observable scale (DESIGN.md §3.3; ada/align/ObservableSpecification.h): each critic is 1-Lipschitz in
// units of its observable's declared scale, |f'| <= 1/scale. Base x ~ N(0, s²) with s = 0.01, experiment
// N(s, s²). The tilt exp(−β f) of a Gaussian by a linear f = a x moves its mean by −β a s², so at β = 20 a
// 1-Lipschitz critic (|a| <= 1) moves the mean by at most 0.002 = s/5 and cannot reach the experiment, while
// with scale = s (|a| <= 100) the exact tilt (a = −5, within the bound) matches it.
#include <gtest/gtest.h>

#include <fstream>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "SpecErrorMessage.h"
#include "ada/align/ObservableCritics.h"
#include "ada/align/ObservableSpecification.h"
#include "ada/io/Npy.h"

namespace {

constexpr double s = 0.01, beta = 20.0;

double tiltedMean(double lipschitz) {
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(5);
    const at::Tensor pool = s * at::randn({2000, 1}, g, at::kDouble);
    ada::AlignmentTarget t;
    t.name = "x";
    t.observe = [](const at::Tensor& x) { return x.reshape({x.size(0), 1}); };
    t.data = s + s * at::randn({2000, 1}, g, at::kDouble);
    t.lipschitz = lipschitz;
    ada::ObservableCriticsOptions options;
    options.beta = beta;
    options.penalty = 100.0;
    options.learningRate = 1e-2;
    options.steps = 100;
    options.hidden = 32;
    ada::ObservableCritics critics({t}, options);
    for (int i = 0; i < 10; ++i)
        critics.update({pool}, at::Tensor());
    const at::Tensor w = critics.weights({pool}, at::Tensor());
    return (w * pool.reshape({-1})).sum().item<double>();
}

}  // namespace

TEST(ObservableScale, LetsTheCriticTiltANarrowObservable) {
    const double unscaled = tiltedMean(1.0), scaled = tiltedMean(1.0 / s);
    std::printf("tilted mean: bound 1 %.5f, bound 1/s %.5f (experiment %.3f)\n", unscaled, scaled, s);
    EXPECT_LT(unscaled, 0.003);               // at most ~0.002 (plus the pool's sampling error ~0.0002)
    EXPECT_NEAR(scaled, s, 0.0015);
}

TEST(ObservableScale, IsReadFromTheSpecificationAndChecked) {
    const std::string folder = ADA_TEST_TMPDIR;
    ada::NpyArray samples;
    samples.shape = {4};
    samples.values = {0.1, 0.2, 0.3, 0.4};
    ada::writeNpy(folder + "/scale_x.npy", samples);
    auto write = [&](const std::string& name, const nlohmann::json& scale) {
        nlohmann::json entry = {{"name", "x"}, {"observable", {{"type", "coordinates"}, {"atoms", {0}}, {"components", "x"}}}, {"data", "scale_x.npy"}};
        if (!scale.is_null())
            entry["scale"] = scale;
        std::ofstream(folder + "/" + name) << nlohmann::json{{"observables", {entry}}}.dump();
        return folder + "/" + name;
    };
    ada::DataPreparation positions;
    positions.numSystemAtoms = 1;
    EXPECT_DOUBLE_EQ(ada::readObservableSpecification(write("unscaled.json", nullptr), positions, {1, 3}).targets[0].lipschitz, 1.0);
    EXPECT_DOUBLE_EQ(ada::readObservableSpecification(write("scaled.json", 0.05), positions, {1, 3}).targets[0].lipschitz, 20.0);
    expectSpecError([&] { ada::readObservableSpecification(write("zero.json", 0.0), positions, {1, 3}); }, "observables[0].scale: expected a positive");
    expectSpecError([&] { ada::readObservableSpecification(write("text.json", "wide"), positions, {1, 3}); }, "scale");
}
