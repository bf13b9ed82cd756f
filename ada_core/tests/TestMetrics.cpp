// Distribution distances used by `ada evaluate`: exact values on constructed cases.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ada/metrics/Histogram.h"
#include "ada/metrics/Wasserstein1D.h"

TEST(Wasserstein1D, ShiftAndKnownCases) {
    std::mt19937 rng(1);
    std::normal_distribution<double> g(0, 1);
    std::vector<double> a(1000), b(1000);
    for (size_t i = 0; i < a.size(); ++i) {
        a[i] = g(rng);
        b[i] = a[i] + 0.7;
    }
    EXPECT_NEAR(ada::wasserstein1(a, b), 0.7, 1e-12);
    // Two atoms: W1({0}, {0, 1}) = 1/2; W1({0,0,0,3}, {1}) = (3*1 + 2)/4.
    EXPECT_NEAR(ada::wasserstein1({0.0}, {0.0, 1.0}), 0.5, 1e-12);
    EXPECT_NEAR(ada::wasserstein1({0.0, 0.0, 0.0, 3.0}, {1.0}), 1.25, 1e-12);
    // Circular: points near +pi and -pi are close on the circle.
    EXPECT_NEAR(ada::wasserstein1({M_PI - 0.1}, {-M_PI + 0.1}, true), 0.2, 1e-9);
    EXPECT_NEAR(ada::wasserstein1({M_PI - 0.1}, {-M_PI + 0.1}, false), 2 * M_PI - 0.2, 1e-9);
    EXPECT_NEAR(ada::wasserstein1({0.5}, {0.5 + 2 * M_PI}, true), 0.0, 1e-9);
}

TEST(Histogram, JensenShannonKnownValues) {
    ada::Histogram p({{0.0, 4.0, 4, false}}), q({{0.0, 4.0, 4, false}}), r({{0.0, 4.0, 4, false}});
    p.add({0.5, 1.5, 1.5, 7.0});  // 7 clamps into the last bin
    q.add({0.5, 1.5, 1.5, 3.5});
    r.add({2.5, 2.6});
    EXPECT_NEAR(ada::jensenShannonDivergence(p, q), 0.0, 1e-15);
    EXPECT_NEAR(ada::jensenShannonDivergence(p, r), std::log(2.0), 1e-12);  // disjoint supports
    // Half overlap: p = (1/2, 1/2, 0), q = (0, 1/2, 1/2) -> JSD = 1/2 ln 2.
    ada::Histogram s({{0.0, 3.0, 3, false}}), t({{0.0, 3.0, 3, false}});
    s.add({0.5, 1.5});
    t.add({1.5, 2.5});
    EXPECT_NEAR(ada::jensenShannonDivergence(s, t), 0.5 * std::log(2.0), 1e-12);
    // Periodic 2-D axes wrap angles.
    ada::Histogram u({{-M_PI, M_PI, 10, true}, {-M_PI, M_PI, 10, true}});
    u.add({3.0 + 2 * M_PI, -3.0});
    EXPECT_EQ(u.counts()[9 * 10 + 0], 1.0);
    double density = 0;
    for (double d : u.densities())
        density += d * (2 * M_PI / 10) * (2 * M_PI / 10);
    EXPECT_NEAR(density, 1.0, 1e-12);
}

#include <nlohmann/json.hpp>

#include "ada/io/SpecError.h"
#include "ada/metrics/ObservableComparison.h"

TEST(ObservableComparison, ReportsDistancesPerObservable) {
    // Two-particle "molecules": distance r along x; ensemble B is ensemble A stretched by 0.1 nm.
    std::mt19937 rng(4);
    std::uniform_real_distribution<double> u(0.2, 0.6);
    std::vector<double> a, b;
    for (int i = 0; i < 500; ++i) {
        const double r = u(rng);
        for (double x : {0.0, 0.0, 0.0, r, 0.0, 0.0})
            a.push_back(x);
        for (double x : {0.0, 0.0, 0.0, r + 0.1, 0.0, 0.0})
            b.push_back(x);
    }
    auto comparison = ada::ObservableComparison::fromJson(
        {{"observables", {{{"name", "r"}, {"type", "distance"}, {"atoms", {0, 1}}}, {{"name", "x1"}, {"type", "coordinates"}, {"atoms", {1}}, {"components", "xy"}}}},
         {"joint", nlohmann::json::array({nlohmann::json::array({"r", "r"})})}},
        "obs.json");
    const nlohmann::json same = comparison.compare(a, a, 2);
    EXPECT_NEAR(same["components"][0]["jsd"].get<double>(), 0.0, 1e-15);
    EXPECT_NEAR(same["components"][0]["w1"].get<double>(), 0.0, 1e-15);
    const nlohmann::json shifted = comparison.compare(a, b, 2);
    EXPECT_EQ(shifted["components"].size(), 3u);  // r, x1[0], x1[1]
    EXPECT_EQ(shifted["components"][1]["name"], "x1[0]");
    EXPECT_NEAR(shifted["components"][0]["w1"].get<double>(), 0.1, 1e-12);
    EXPECT_GT(shifted["components"][0]["jsd"].get<double>(), 0.05);
    EXPECT_NEAR(shifted["components"][2]["w1"].get<double>(), 0.0, 1e-15);
    EXPECT_THROW(comparison.compare(a, a, 1), ada::SpecError);  // atom 1 out of range
    EXPECT_THROW(ada::ObservableComparison::fromJson({{"observables", {{{"name", "r"}, {"type", "distance"}, {"atoms", {0, 1}}}}},
                                                      {"joint", nlohmann::json::array({nlohmann::json::array({"r", "psi"})})}},
                                                     "obs.json"),
                 ada::SpecError);
}

#include "ada/metrics/SampleComparison.h"

TEST(SampleComparison, ReferenceAxisKeepsTheReferenceAndCountsStrays) {
    // Reference uniform on [0, 1]; the model is the same but 5 % of it strays to 1e10 (a sampler's clashes).
    std::vector<double> reference, model;
    for (int i = 0; i < 1000; ++i) {
        reference.push_back((i + 0.5) / 1000);
        model.push_back(i < 950 ? (i + 0.5) / 950 : 1e10);
    }
    const ada::HistogramAxis whole = ada::commonAxis(model, reference, false, 10);
    EXPECT_GE(whole.hi, 1e10);  // the strays squeeze the reference into the first bin
    const ada::HistogramAxis axis = ada::referenceAxis(model, reference, 10, 0.01);
    EXPECT_LE(axis.lo, 0.0005);
    EXPECT_GE(axis.hi, 1e10);  // 5 % strays: beyond the 99th percentile's reach, the axis must show them
    const ada::HistogramAxis robust = ada::referenceAxis(model, reference, 10, 0.06);
    EXPECT_NEAR(robust.hi, 1.0, 1e-3);  // the 94th percentile of the model is inside [0, 1]
    const nlohmann::json c = ada::compareSamples("energy", "energy", robust, model, reference);
    EXPECT_NEAR(c["outside_model"].get<double>(), 0.05, 1e-12);
    const std::vector<double> pm = c["p_model"], pr = c["p_reference"];
    EXPECT_NEAR(pr[9], 0.1, 1e-12);
    EXPECT_NEAR(pm[9], 95.0 / 1000 + 0.05, 1e-12);  // its last tenth plus the strays, clamped into the edge bin
    EXPECT_EQ(c["edges"].size(), 11u);
    EXPECT_NEAR(c["w1"].get<double>(), ada::wasserstein1(model, reference), 1e-6);
    EXPECT_THROW(ada::compareSamples("energy", "energy", robust, {}, reference), ada::SpecError);
    EXPECT_THROW(ada::compareSamples("energy", "energy", robust, {0.1, NAN}, reference), ada::SpecError);
    EXPECT_THROW(ada::referenceAxis(model, reference, 10, 0.5), ada::SpecError);
}

#include "ada/metrics/KernelDensityResidual.h"

TEST(KernelDensityResidual, KnownCases) {
    std::mt19937 rng(7);
    std::normal_distribution<double> g(0, 1);
    auto draw = [&](size_t n, double shiftX, double shiftY) {
        std::vector<double> x(2 * n);
        for (size_t i = 0; i < n; ++i) {
            x[2 * i] = g(rng) + shiftX;
            x[2 * i + 1] = 0.5 * g(rng) + shiftY;
        }
        return x;
    };
    const auto a = draw(2000, 0, 0);
    EXPECT_NEAR(ada::kernelDensityResidual(a, a, 2), 0.0, 1e-12);
    // Two independent draws of the same law: the noise floor, small but not zero.
    const double floor = ada::kernelDensityResidual(a, draw(2000, 0, 0), 2);
    EXPECT_GT(floor, 0.01);
    EXPECT_LT(floor, 0.15);
    // Far-apart laws: the residual approaches its maximum, 2.
    EXPECT_GT(ada::kernelDensityResidual(a, draw(2000, 20, 0), 2), 1.99);
    // 1-D: N(0,1) against N(1,1): 2 (2 Phi(1/2) - 1) = 0.766 in the limit; the KDE smooths a little.
    std::vector<double> u(4000), v(4000);
    for (size_t i = 0; i < u.size(); ++i) {
        u[i] = g(rng);
        v[i] = g(rng) + 1;
    }
    EXPECT_NEAR(ada::kernelDensityResidual(u, v, 1), 0.766, 0.06);
    EXPECT_THROW(ada::kernelDensityResidual(u, v, 3), ada::SpecError);
}

#include "ada/metrics/IterativeProportionalFitting.h"

TEST(IterativeProportionalFitting, RecoversPairwiseLogLinearJoint) {
    // Three binary variables (a mixture's 8 cube corners). A target with only pairwise interactions,
    // w(x) = w0(x) exp(sum of pairwise terms), is recovered exactly from its three pairwise tables.
    const std::vector<int> cards = {2, 2, 2};
    std::vector<double> base = {0.05, 0.1, 0.15, 0.1, 0.2, 0.1, 0.2, 0.1};
    const double J[3][2][2] = {{{0.3, -0.2}, {0.1, 0.5}}, {{-0.4, 0.2}, {0.0, 0.3}}, {{0.2, 0.0}, {-0.3, 0.6}}};
    std::vector<double> target(8);
    double z = 0;
    for (int s = 0; s < 8; ++s) {
        const int x = (s >> 2) & 1, y = (s >> 1) & 1, w = s & 1;
        target[s] = base[s] * std::exp(J[0][x][y] + J[1][x][w] + J[2][y][w]);
        z += target[s];
    }
    for (double& t : target)
        t /= z;
    std::vector<ada::MarginalConstraint> constraints;
    for (std::vector<int> pair : {std::vector<int>{0, 1}, {0, 2}, {1, 2}})
        constraints.push_back({pair, ada::marginalOf(cards, target, pair)});
    const auto result = ada::iterativeProportionalFitting(cards, base, constraints, 1e-13);
    EXPECT_LT(result.maxMarginalError, 1e-13);
    for (int s = 0; s < 8; ++s)
        EXPECT_NEAR(result.weights[s], target[s], 1e-10);
    EXPECT_THROW(ada::iterativeProportionalFitting(cards, {1, 2, 3}, constraints), ada::SpecError);
}
