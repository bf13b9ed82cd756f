// Expectation alignment (DESIGN.md §3.3): the exact tilt of an empirical N(0, 1) base matches the first K
// moments of N(0.7, 1.3^2) data; for K = 2 the tilt is the Gaussian target; a 2-D case matches a cross moment;
// the polynomial exports exactly (new bias function type "polynomial"); bad input is a SpecError.
#include <gtest/gtest.h>

#include <cmath>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include "SpecErrorMessage.h"
#include "ada/align/ExpectationAlignment.h"
#include "ada/bias/BiasFunction.h"
#include "ada/bias/Polynomial.h"
#include "ada/io/SpecError.h"

namespace {

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

struct Gaussian1D {
    at::Tensor base, data;
};

Gaussian1D gaussians1D() {
    at::Generator g = generator(21);
    return {at::randn({20000, 1}, g, at::kDouble), 0.7 + 1.3 * at::randn({20000, 1}, g, at::kDouble)};
}

double weightedMean(const at::Tensor& w, const at::Tensor& y) { return (w * y).sum().item<double>(); }

}  // namespace

TEST(ExpectationAlignmentTest, FirstMomentMatchesMean) {
    const Gaussian1D s = gaussians1D();
    ada::ExpectationAlignment ea({s.base}, {s.data}, ada::ExpectationAlignmentOptions().order(1));
    const int64_t iterations = ea.align();
    EXPECT_TRUE(ea.converged());
    EXPECT_LT(iterations, 20);
    EXPECT_EQ(ea.monomials(0).size(), 1u);
    const at::Tensor w = ea.weights(), y = s.base.squeeze(1);
    EXPECT_NEAR(w.sum().item<double>(), 1.0, 1e-12);
    EXPECT_NEAR(weightedMean(w, y), s.data.mean().item<double>(), 1e-3);
    EXPECT_LT(ea.momentGaps(0).abs().max().item<double>(), 1e-9);
    std::printf("K=1: %lld Newton iterations\n", static_cast<long long>(iterations));
}

TEST(ExpectationAlignmentTest, PlainDualAscentConvergesToo) {
    const Gaussian1D s = gaussians1D();
    ada::ExpectationAlignment ea({s.base}, {s.data}, ada::ExpectationAlignmentOptions().order(1).newton(false).stepSize(1.0).tolerance(1e-7));
    const int64_t iterations = ea.align();
    EXPECT_TRUE(ea.converged()) << "max gap " << ea.maxGap();
    EXPECT_NEAR(weightedMean(ea.weights(), s.base.squeeze(1)), s.data.mean().item<double>(), 1e-3);
    std::printf("K=1: %lld plain dual-ascent iterations\n", static_cast<long long>(iterations));
}

TEST(ExpectationAlignmentTest, SecondMomentsGiveTheGaussianTilt) {
    const Gaussian1D s = gaussians1D();
    const double beta = 2.0;
    ada::ExpectationAlignment ea({s.base}, {s.data}, ada::ExpectationAlignmentOptions().order(2).beta(beta));
    const int64_t iterations = ea.align();
    EXPECT_TRUE(ea.converged());
    const at::Tensor w = ea.weights(), y = s.base.squeeze(1), yd = s.data.squeeze(1);
    const double mean = weightedMean(w, y), variance = weightedMean(w, (y - mean).pow(2));
    const double dataMean = yd.mean().item<double>(), dataVariance = (yd - dataMean).pow(2).mean().item<double>();
    EXPECT_NEAR(mean, dataMean, 1e-3);
    EXPECT_NEAR(variance, dataVariance, 1e-3);

    // N(0.7, 1.69) / N(0, 1) ∝ exp(-beta f) with -beta f(y) = (1/2 - 1/3.38) y^2 + (0.7/1.69) y + c; up to
    // sampling error of 20000 samples per side.
    const ada::Polynomial f = ea.toBiasFunction(0);
    double zero = 0;
    const double f0 = f.evaluate(&zero, nullptr);
    for (double t = -1.5; t <= 1.5; t += 0.25) {
        const double exact = (0.5 - 1 / 3.38) * t * t + 0.7 / 1.69 * t;
        EXPECT_NEAR(-beta * (f.evaluate(&t, nullptr) - f0), exact, 0.08) << "y = " << t;
    }
    // The exported bias reproduces the weights: w_b ∝ exp(-beta f(y_b)).
    at::Tensor logits = at::empty_like(y);
    for (int64_t b = 0; b < y.size(0); ++b) {
        const double v = y[b].item<double>();
        logits[b] = -beta * f.evaluate(&v, nullptr);
    }
    EXPECT_LT((at::softmax(logits, 0) - w).abs().max().item<double>(), 1e-12);
    // The scaled export is beta f (for a specification at beta = 1).
    double t = 0.9;
    EXPECT_NEAR(ea.toScaledBiasFunction(0).evaluate(&t, nullptr), beta * f.evaluate(&t, nullptr), 1e-12);
    std::printf("K=2: %lld Newton iterations, mean %.5f vs %.5f, variance %.5f vs %.5f\n", static_cast<long long>(iterations), mean,
                dataMean, variance, dataVariance);
}

TEST(ExpectationAlignmentTest, CrossMomentInTwoDimensionsAndSecondObservable) {
    at::Generator g = generator(5);
    const int64_t n = 20000;
    const at::Tensor base = at::randn({n, 2}, g, at::kDouble);
    const at::Tensor chol = at::tensor({1.0, 0.0, 0.5, 1.0}, at::kDouble).reshape({2, 2});  // cov [[1, .5], [.5, 1.25]]
    const at::Tensor data = at::matmul(at::randn({n, 2}, g, at::kDouble), chol.t()) + at::tensor({0.3, -0.2}, at::kDouble);
    // A second observable of the same base configurations: the radius, matched to its first moment only.
    const at::Tensor radius = base.norm(2, {1}, true);
    const at::Tensor dataRadius = data.norm(2, {1}, true);
    ada::ExpectationAlignment ea({base, radius}, {data, dataRadius}, ada::ExpectationAlignmentOptions().order(2));
    ea.align();
    EXPECT_TRUE(ea.converged()) << "max gap " << ea.maxGap();
    EXPECT_EQ(ea.monomials(0), (std::vector<std::vector<int>>{{1, 0}, {0, 1}, {2, 0}, {1, 1}, {0, 2}}));
    EXPECT_EQ(ea.monomials(1).size(), 2u);

    const at::Tensor w = ea.weights().unsqueeze(1);
    const at::Tensor mean = (w * base).sum(0), dataMean = data.mean(0);
    const at::Tensor cov = at::matmul((w * (base - mean)).t(), base - mean);
    const at::Tensor dataCov = at::matmul((data - dataMean).t(), data - dataMean) / n;
    EXPECT_LT((mean - dataMean).abs().max().item<double>(), 1e-3);
    EXPECT_LT((cov - dataCov).abs().max().item<double>(), 1e-3) << cov << dataCov;
    EXPECT_NEAR((w * radius).sum().item<double>(), dataRadius.mean().item<double>(), 1e-3);

    // The exported polynomials reproduce the weights from both observables.
    const ada::Polynomial f0 = ea.toBiasFunction(0), f1 = ea.toBiasFunction(1);
    at::Tensor logits = at::empty({n}, at::kDouble);
    const at::Tensor bc = base.contiguous(), rc = radius.contiguous();
    for (int64_t b = 0; b < n; ++b)
        logits[b] = -(f0.evaluate(bc.data_ptr<double>() + 2 * b, nullptr) + f1.evaluate(rc.data_ptr<double>() + b, nullptr));
    EXPECT_LT((at::softmax(logits, 0) - ea.weights()).abs().max().item<double>(), 1e-12);
}

TEST(ExpectationAlignmentTest, PolynomialBiasFunctionParsesAndDifferentiates) {
    const nlohmann::json spec = {{"type", "polynomial"},
                                 {"exponents", {{1, 0}, {0, 2}, {2, 1}}},
                                 {"coefficients", {0.5, -1.5, 0.25}},
                                 {"input_shift", {0.1, -0.3}},
                                 {"input_scale", {2.0, 0.5}}};
    const auto f = ada::makeBiasFunction(spec, "terms[0].function", false, "");
    EXPECT_EQ(f->type(), "polynomial");
    EXPECT_EQ(f->inputDimension(), 2);
    const double y[2] = {0.7, 0.4};
    const double u0 = (0.7 - 0.1) / 2.0, u1 = (0.4 + 0.3) / 0.5;
    double grad[2];
    EXPECT_NEAR(f->evaluate(y, grad), 0.5 * u0 - 1.5 * u1 * u1 + 0.25 * u0 * u0 * u1, 1e-14);
    for (int k = 0; k < 2; ++k) {
        const double h = 1e-6;
        double yp[2] = {y[0], y[1]}, ym[2] = {y[0], y[1]};
        yp[k] += h;
        ym[k] -= h;
        EXPECT_NEAR(grad[k], (f->evaluate(yp, nullptr) - f->evaluate(ym, nullptr)) / (2 * h), 1e-7);
    }
    const auto again = ada::makeBiasFunction(f->toJson(), "round trip", false, "");
    EXPECT_EQ(again->toJson(), f->toJson());

    nlohmann::json bad = spec;
    bad["exponents"][1] = {0, -1};
    expectSpecError([&] { ada::makeBiasFunction(bad, "terms[0].function", false, ""); }, "terms[0].function.exponents[1]: exponents must be non-negative");
    bad = spec;
    bad["coefficients"] = {1.0};
    expectSpecError([&] { ada::makeBiasFunction(bad, "f", false, ""); }, "1 coefficients for 3 exponents");
    bad = spec;
    bad["exponents"][2] = {1};
    expectSpecError([&] { ada::makeBiasFunction(bad, "f", false, ""); }, "f.exponents[2]: has 1 entries, expected 2");
    bad = spec;
    bad["input_scale"] = {1.0, 0.0};
    expectSpecError([&] { ada::makeBiasFunction(bad, "f", false, ""); }, "f.input_scale[1]");
    bad = spec;
    bad["exponents"][0] = {1.5, 0};
    expectSpecError([&] { ada::makeBiasFunction(bad, "f", false, ""); }, "non-negative integers");
}

TEST(ExpectationAlignmentTest, SplineExport) {
    const Gaussian1D s = gaussians1D();
    ada::ExpectationAlignment ea({s.base}, {s.data}, ada::ExpectationAlignmentOptions().order(2));
    ea.align();
    const ada::Polynomial f = ea.toBiasFunction(0);
    const ada::Spline spline = ea.toSpline(0, -4, 4, 201, false);
    // A natural spline (zero curvature at the ends) of a quadratic: close inside, to O(h^2) at the ends.
    for (double y = -3.9; y < 4; y += 0.37)
        EXPECT_NEAR(spline.evaluate(&y, nullptr), f.evaluate(&y, nullptr), std::abs(y) < 3.5 ? 1e-6 : 1e-5) << "y = " << y;
}

TEST(ExpectationAlignmentTest, RejectsBadInput) {
    const at::Tensor base = at::randn({50, 2}, at::kDouble), data = at::randn({40, 2}, at::kDouble);
    using EA = ada::ExpectationAlignment;
    expectSpecError([&] { EA({base}, {at::randn({40, 3}, at::kDouble)}); },
                    "observable 0: data samples have dimension 3 but base samples have dimension 2");
    expectSpecError([&] { EA({base}, {at::randn({40}, at::kDouble)}); }, "observable 0: data samples must have shape [n, d]");
    expectSpecError([&] { EA({base}, {at::zeros({0, 2}, at::kDouble)}); }, "observable 0: data samples are empty");
    expectSpecError([&] { EA({at::zeros({0, 2}, at::kDouble)}, {data}); }, "observable 0: base samples are empty");
    at::Tensor nan = base.clone();
    nan[7][1] = std::nan("");
    expectSpecError([&] { EA({nan}, {data}); }, "observable 0: base samples contain NaN");
    at::Tensor inf = data.clone();
    inf[0][0] = -INFINITY;
    expectSpecError([&] { EA({base, base}, {data, inf}); }, "observable 1: data samples contain NaN or infinite");
    expectSpecError([&] { EA({base, at::randn({49, 1}, at::kDouble)}, {data, data.slice(1, 0, 1)}); }, "observable 1: has 49 base samples");
    expectSpecError([&] { EA({base}, {data, data}); }, "1 base and 2 data sets");
    expectSpecError([&] { EA({}, {}); }, "0 base and 0 data sets");
    expectSpecError([&] { EA({base}, {data}, ada::ExpectationAlignmentOptions().order(0)); }, "order 0");
    expectSpecError([&] { EA({base}, {data}).toSpline(0, -1, 1, 10, false); }, "observable 0 has dimension 2");
    expectSpecError([&] { EA({base}, {data}).coefficients(3); }, "no observable 3");
}
