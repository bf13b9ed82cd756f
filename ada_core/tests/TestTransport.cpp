// Assignment, exact optimal transport and the geometric / energy W2 of DESIGN.md §5, against brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <Eigen/Dense>

#include "ada/metrics/GeometricWasserstein.h"
#include "ada/metrics/OptimalTransport.h"

namespace {
double bruteForceAssignment(const Eigen::MatrixXd& c) {
    std::vector<int> p(c.rows());
    std::iota(p.begin(), p.end(), 0);
    double best = INFINITY;
    do {
        double s = 0;
        for (int i = 0; i < c.rows(); ++i)
            s += c(i, p[i]);
        best = std::min(best, s);
    } while (std::next_permutation(p.begin(), p.end()));
    return best;
}
}  // namespace

TEST(OptimalTransport, MatchesBruteForce) {
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> u(0, 10);
    for (int trial = 0; trial < 5; ++trial) {
        Eigen::MatrixXd c(6, 6);
        for (int i = 0; i < 6; ++i)
            for (int j = 0; j < 6; ++j)
                c(i, j) = u(rng);
        const std::vector<int> p = ada::optimalAssignment(c);
        double s = 0;
        for (int i = 0; i < 6; ++i)
            s += c(i, p[i]);
        const double brute = bruteForceAssignment(c);
        EXPECT_NEAR(s, brute, 1e-9);
        // With equal uniform weights, OT has an optimal plan that is a permutation (Birkhoff).
        EXPECT_NEAR(ada::optimalTransportCost(c), brute / 6, 1e-9);
    }
    // Unequal sizes: n = 2, m = 4; sink costs make the plan obvious: each source takes its two cheap sinks.
    Eigen::MatrixXd c(2, 4);
    c << 0, 1, 9, 9,
         9, 9, 2, 3;
    EXPECT_NEAR(ada::optimalTransportCost(c), (0 + 1 + 2 + 3) / 4.0, 1e-12);
}

TEST(GeometricW2, InvariancesAndKnownValues) {
    std::mt19937 rng(2);
    std::normal_distribution<double> g(0, 1);
    const int N = 4, S = 2;
    std::vector<double> a(N * S);
    for (double& v : a)
        v = g(rng);
    // A translated, permuted copy is at distance 0; so is a slightly rotated one (the permutation is
    // found before the rotation, as the literature does, so large rotations combined with permutations are not
    // always undone).
    std::vector<double> b(N * S), r(N * S);
    const int order[N] = {2, 0, 3, 1};
    const double t = 0.1, c = std::cos(t), s = std::sin(t);
    for (int i = 0; i < N; ++i) {
        b[2 * i] = a[2 * order[i]] + 3.0;
        b[2 * i + 1] = a[2 * order[i] + 1] - 1.0;
        r[2 * i] = c * a[2 * i] - s * a[2 * i + 1] + 0.5;
        r[2 * i + 1] = s * a[2 * i] + c * a[2 * i + 1];
    }
    EXPECT_NEAR(ada::alignedSquaredDistance(a.data(), b.data(), N, S), 0.0, 1e-12);
    EXPECT_NEAR(ada::alignedSquaredDistance(a.data(), r.data(), N, S), 0.0, 1e-12);
    // Reflections count as alignments: a chain and its mirror image (y -> -y) are at distance 0.
    const std::vector<double> chain = {0, 0.1, 1, 0.25, 2, -0.1, 3, 0.3}, mirror = {0, -0.1, 1, -0.25, 2, 0.1, 3, -0.3};
    EXPECT_NEAR(ada::alignedSquaredDistance(chain.data(), mirror.data(), N, S), 0.0, 1e-12);
    // Two sets of one configuration each: W2 is the aligned distance.
    std::vector<double> d(N * S);
    for (double& v : d)
        v = g(rng);
    EXPECT_NEAR(ada::geometricW2(a, d, N, S), std::sqrt(ada::alignedSquaredDistance(a.data(), d.data(), N, S)), 1e-9);
    // Brute force over orthogonal maps for the aligned distance: no rotation angle or reflection does better.
    double best = INFINITY;
    std::vector<int> p = {0, 1, 2, 3};
    do {
        for (int k = 0; k < 3600; ++k)
            for (int reflect = 0; reflect < 2; ++reflect) {
                const double th = 2 * M_PI * k / 3600, cc = std::cos(th), ss = std::sin(th), sign = reflect ? -1 : 1;
                double ax = 0, ay = 0, dx = 0, dy = 0;
                for (int i = 0; i < N; ++i) {
                    ax += a[2 * i] / N;
                    ay += a[2 * i + 1] / N;
                    dx += d[2 * i] / N;
                    dy += d[2 * i + 1] / N;
                }
                double sum = 0;
                for (int i = 0; i < N; ++i) {
                    const double x = d[2 * p[i]] - dx, y = sign * (d[2 * p[i] + 1] - dy);
                    const double rx = cc * x - ss * y, ry = ss * x + cc * y;
                    sum += std::pow(a[2 * i] - ax - rx, 2) + std::pow(a[2 * i + 1] - ay - ry, 2);
                }
                best = std::min(best, sum);
            }
    } while (std::next_permutation(p.begin(), p.end()));
    // Permutation then alignment is the literature's two-stage procedure: never better than the joint optimum.
    EXPECT_GE(ada::alignedSquaredDistance(a.data(), d.data(), N, S), best - 1e-4);  // grid of 0.1 degree
}

TEST(GeometricW2, OneParticleIsThePlainW2) {
    // Centring would map every one-particle configuration to 0; a particle in an external field keeps its place.
    const std::vector<double> a = {0, 0, 1, 0}, b = {3, 4, 1, 1};  // two configurations each, 1 particle in 2-D
    EXPECT_NEAR(ada::alignedSquaredDistance(a.data(), b.data(), 1, 2), 25.0, 1e-12);
    // Plan: (0,0) -> (1,1) costs 2, (1,0) -> (3,4) costs 20; the other plan 25 + 1. W2 = sqrt((2 + 20) / 2).
    EXPECT_NEAR(ada::geometricW2(a, b, 1, 2), std::sqrt(11.0), 1e-9);
}

TEST(EnergyW2, QuantileMatching) {
    EXPECT_NEAR(ada::energyW2({0, 1, 2, 3}, {1, 2, 3, 4}), 1.0, 1e-12);
    EXPECT_NEAR(ada::energyW2({0, 0}, {0, 0, 3, 3}), std::sqrt(0.5 * 9), 1e-12);
    EXPECT_NEAR(ada::energyW2({5.0}, {1.0, 3.0}), std::sqrt(0.5 * 16 + 0.5 * 4), 1e-12);
}
