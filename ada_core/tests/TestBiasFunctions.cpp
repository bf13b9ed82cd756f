// Spline and MLP bias functions: interpolation, exactness where the math guarantees it, gradients against
// finite differences, and the errors a bad specification gets.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "ada/bias/MLPFunction.h"
#include "ada/bias/Spline.h"
#include "ada/io/Bundle.h"
#include "ada/io/SpecError.h"

using nlohmann::json;

namespace {
double derivativeByFiniteDifferences(const ada::BiasFunction& f, std::vector<double> y, int k) {
    const double h = 1e-6;
    y[k] += h;
    const double plus = f.evaluate(y.data(), nullptr);
    y[k] -= 2 * h;
    const double minus = f.evaluate(y.data(), nullptr);
    return (plus - minus) / (2 * h);
}
}  // namespace

TEST(Spline, InterpolatesGridAndReproducesLinearFunctions) {
    // A natural cubic spline reproduces a straight line exactly (its second derivatives vanish).
    std::vector<double> grid = {0.0, 0.3, 0.5, 1.1, 2.0}, values;
    for (double x : grid)
        values.push_back(2 * x - 1);
    ada::Spline s(grid, values, false);
    for (double x = 0.01; x < 2.0; x += 0.07) {
        double g;
        EXPECT_NEAR(s.evaluate(&x, &g), 2 * x - 1, 1e-12);
        EXPECT_NEAR(g, 2.0, 1e-12);
    }
    // Constant beyond the grid, with zero force.
    double below = -1, above = 3, g;
    EXPECT_DOUBLE_EQ(s.evaluate(&below, &g), -1.0);
    EXPECT_EQ(g, 0.0);
    EXPECT_DOUBLE_EQ(s.evaluate(&above, &g), 3.0);
}

TEST(Spline, PeriodicSplineApproximatesSineAndWraps) {
    std::vector<double> grid, values;
    const int n = 72;
    for (int k = 0; k <= n; ++k) {
        grid.push_back(-M_PI + 2 * M_PI * k / n);
        values.push_back(std::sin(grid.back()) + 0.5 * std::cos(2 * grid.back()));
    }
    values.back() = values.front();
    ada::Spline s(grid, values, true);
    for (double x = -3.1; x < 3.1; x += 0.13) {
        double g;
        const double v = s.evaluate(&x, &g);
        EXPECT_NEAR(v, std::sin(x) + 0.5 * std::cos(2 * x), 2e-5);
        EXPECT_NEAR(g, std::cos(x) - std::sin(2 * x), 2e-3);
        EXPECT_NEAR(g, derivativeByFiniteDifferences(s, {x}, 0), 1e-6);
        double shifted = x + 4 * M_PI, gs;
        EXPECT_NEAR(s.evaluate(&shifted, &gs), v, 1e-12);
    }
}

TEST(Spline, BadInputIsRejected) {
    EXPECT_THROW(ada::Spline({0.0, 0.2, 0.1}, {1, 2, 3}, false), ada::SpecError);
    try {
        ada::Spline({0.0, 0.2, 0.2}, {1, 2, 3}, false, "bias.json: terms[0].function");
        FAIL();
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("terms[0].function.grid: must be strictly increasing"), std::string::npos) << e.what();
    }
    EXPECT_THROW(ada::Spline({0.0, 0.2}, {1, 2, 3}, false), ada::SpecError);
    EXPECT_THROW(ada::Spline({0.0, 1.0, 2.0, 3.0, 6.2}, {1, 2, 3, 4, 5}, true), ada::SpecError);  // ends differ
    EXPECT_THROW(ada::Spline({0.0, 1.0}, {1, NAN}, false), ada::SpecError);
}

TEST(MLPFunction, GradientMatchesFiniteDifferencesAndJsonRoundTrip) {
    const json spec = {{"type", "mlp"},
                       {"input_shift", {0.1, -0.2}},
                       {"input_scale", {2.0, 0.5}},
                       {"layers", {{{"weight", {{0.3, -0.7}, {1.1, 0.4}, {-0.5, 0.9}}}, {"bias", {0.1, 0.0, -0.2}}, {"activation", "tanh"}},
                                   {{"weight", {{0.6, -1.2, 0.8}, {0.2, 0.3, 0.1}}}, {"bias", {0.05, -0.1}}, {"activation", "silu"}},
                                   {{"weight", {{1.5, -0.5}}}, {"bias", {0.3}}, {"activation", "linear"}}}}};
    ada::MLPFunction f = ada::MLPFunction::fromJson(spec, "t");
    ada::MLPFunction copy = ada::MLPFunction::fromJson(f.toJson(), "t");
    ada::MLPFunction fromBundle = ada::MLPFunction::fromBundle(f.toBundle(), "t");
    std::vector<double> y = {0.4, -1.3}, g(2);
    const double v = f.evaluate(y.data(), g.data());
    // Forward pass by hand: h0 = (y - shift)/scale.
    const double h0[2] = {(0.4 - 0.1) / 2.0, (-1.3 + 0.2) / 0.5};
    double h1[3];
    const double W1[3][2] = {{0.3, -0.7}, {1.1, 0.4}, {-0.5, 0.9}}, b1[3] = {0.1, 0.0, -0.2};
    for (int i = 0; i < 3; ++i)
        h1[i] = std::tanh(W1[i][0] * h0[0] + W1[i][1] * h0[1] + b1[i]);
    const double z0 = 0.6 * h1[0] - 1.2 * h1[1] + 0.8 * h1[2] + 0.05, z1 = 0.2 * h1[0] + 0.3 * h1[1] + 0.1 * h1[2] - 0.1;
    auto silu = [](double z) { return z / (1 + std::exp(-z)); };
    EXPECT_NEAR(v, 1.5 * silu(z0) - 0.5 * silu(z1) + 0.3, 1e-12);
    for (int k = 0; k < 2; ++k)
        EXPECT_NEAR(g[k], derivativeByFiniteDifferences(f, y, k), 1e-7);
    EXPECT_DOUBLE_EQ(copy.evaluate(y.data(), nullptr), v);
    EXPECT_DOUBLE_EQ(fromBundle.evaluate(y.data(), nullptr), v);
}

TEST(MLPFunction, BadShapesAreRejected) {
    const json wrongBias = {{"layers", {{{"weight", {{1.0, 2.0}}}, {"bias", {0.0, 1.0}}}}}};
    EXPECT_THROW(ada::MLPFunction::fromJson(wrongBias, "t"), ada::SpecError);
    const json twoOutputs = {{"layers", {{{"weight", {{1.0}, {2.0}}}, {"bias", {0.0, 1.0}}}}}};
    EXPECT_THROW(ada::MLPFunction::fromJson(twoOutputs, "t"), ada::SpecError);
    const json badActivation = {{"layers", {{{"weight", {{1.0}}}, {"bias", {0.0}}, {"activation", "gelu2"}}}}};
    EXPECT_THROW(ada::MLPFunction::fromJson(badActivation, "t"), ada::SpecError);
}

// A convolution layer (Convolution2D.h) inside an MLPFunction: a 2-channel 4 x 5 image, 3 x 3 kernel, stride 2,
// padding 1 -> [3, 2, 3], then a dense layer to one output. Checked against the convolution sum written out
// directly, finite differences, and JSON / bundle round trips; bad geometry is named.
namespace {
json convolutionSpec(int stride, int padding, int kernelColumns) {
    json kernelRows = json::array();
    for (int o = 0; o < 3; ++o) {
        std::vector<double> row;
        for (int k = 0; k < kernelColumns; ++k)
            row.push_back(std::sin(1.3 * o + 0.7 * k));
        kernelRows.push_back(row);
    }
    std::vector<double> dense;
    for (int k = 0; k < 18; ++k)
        dense.push_back(std::cos(0.9 * k));
    return {{"type", "mlp"},
            {"layers",
             {{{"weight", kernelRows}, {"bias", {0.1, -0.2, 0.3}}, {"activation", "tanh"},
               {"convolution", {{"input", {2, 4, 5}}, {"kernel", 3}, {"stride", stride}, {"padding", padding}}}},
              {{"weight", {dense}}, {"bias", {0.05}}, {"activation", "linear"}}}}};
}
}  // namespace

TEST(MLPFunction, ConvolutionLayerMatchesTheSumAndFiniteDifferences) {
    const ada::MLPFunction f = ada::MLPFunction::fromJson(convolutionSpec(2, 1, 18), "conv");
    EXPECT_EQ(f.inputDimension(), 40);
    std::vector<double> y(40), g(40);
    for (int k = 0; k < 40; ++k)
        y[k] = std::sin(0.37 * k * k + 1.0);
    // z[o, i, j] = b_o + Σ_{c,u,v} K[o, c, u, v] x[c, 2i − 1 + u, 2j − 1 + v], zero outside the image.
    double expected = 0.05;
    for (int o = 0; o < 3; ++o)
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j) {
                double z = (o == 0 ? 0.1 : o == 1 ? -0.2 : 0.3);
                for (int c = 0; c < 2; ++c)
                    for (int u = 0; u < 3; ++u)
                        for (int v = 0; v < 3; ++v) {
                            const int row = 2 * i - 1 + u, col = 2 * j - 1 + v;
                            if (row >= 0 && row < 4 && col >= 0 && col < 5)
                                z += std::sin(1.3 * o + 0.7 * ((c * 3 + u) * 3 + v)) * y[(c * 4 + row) * 5 + col];
                        }
                expected += std::cos(0.9 * ((o * 2 + i) * 3 + j)) * std::tanh(z);
            }
    EXPECT_NEAR(f.evaluate(y.data(), g.data()), expected, 1e-12);
    for (int k = 0; k < 40; ++k)
        EXPECT_NEAR(g[k], derivativeByFiniteDifferences(f, y, k), 1e-7) << "input " << k;
    const ada::MLPFunction copy = ada::MLPFunction::fromJson(f.toJson(), "conv");
    const ada::Bundle bundle = f.toBundle();
    EXPECT_EQ(bundle.tensor("layer0.weight", "t").shape, (std::vector<int64_t>{3, 2, 3, 3}));
    const ada::MLPFunction fromBundle = ada::MLPFunction::fromBundle(bundle, "conv");
    EXPECT_DOUBLE_EQ(copy.evaluate(y.data(), nullptr), f.evaluate(y.data(), nullptr));
    EXPECT_DOUBLE_EQ(fromBundle.evaluate(y.data(), nullptr), f.evaluate(y.data(), nullptr));
}

TEST(MLPFunction, BadConvolutionGeometryIsNamed) {
    const auto message = [](const json& spec) {
        try {
            ada::MLPFunction::fromJson(spec, "conv.json");
        } catch (const ada::SpecError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    // Kernel rows of 17 entries where 2 channels x 3 x 3 = 18 are needed.
    EXPECT_NE(message(convolutionSpec(2, 1, 17)).find("the kernel must be [3, 18]"), std::string::npos) << message(convolutionSpec(2, 1, 17));
    // Stride 1 gives [3, 4, 5] = 60 outputs, but the dense layer takes 18.
    EXPECT_NE(message(convolutionSpec(1, 1, 18)).find("layers[1]: takes 18 inputs but the previous layer has 60 outputs"), std::string::npos);
    EXPECT_NE(message(convolutionSpec(0, 1, 18)).find("stride 0"), std::string::npos);
    EXPECT_NE(message(convolutionSpec(2, 3, 18)).find("0 <= padding < kernel"), std::string::npos);
    json huge = convolutionSpec(2, 1, 18);
    huge["layers"][0]["convolution"]["input"] = {2000, 1000, 1000};
    EXPECT_NE(message(huge).find("a convolution of more than 2^30 values is refused"), std::string::npos) << message(huge);
    json badInput = convolutionSpec(2, 1, 18);
    badInput["layers"][0]["convolution"]["input"] = {2, 4};
    EXPECT_NE(message(badInput).find("conv.json.layers[0].convolution.input: expected 3 sizes"), std::string::npos) << message(badInput);
    // A bundle whose convolution entry names a missing layer, or whose 4-D weight has no geometry.
    ada::Bundle bundle = ada::MLPFunction::fromJson(convolutionSpec(2, 1, 18), "conv").toBundle();
    ada::Bundle noGeometry = bundle;
    noGeometry.config.erase("convolutions");
    EXPECT_THROW(ada::MLPFunction::fromBundle(noGeometry, "b"), ada::SpecError);
    bundle.config["convolutions"][0]["layer"] = 5;
    EXPECT_THROW(ada::MLPFunction::fromBundle(bundle, "b"), ada::SpecError);
}
