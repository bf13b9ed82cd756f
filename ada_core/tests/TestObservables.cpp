// Observables: known values, and Jacobians against central finite differences, with and without a
// periodic box (DESIGN.md §4, §6).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "ada/io/SpecError.h"
#include "ada/observables/Observable.h"

using nlohmann::json;

namespace {

std::vector<double> randomPositions(int n, double scale, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-scale, scale);
    std::vector<double> x(3 * n);
    for (double& v : x)
        v = u(rng);
    return x;
}

// Checks J against (o(x + h e) - o(x - h e)) / 2h for every coordinate of every atom the observable uses.
void expectJacobianMatchesFiniteDifferences(const ada::Observable& o, std::vector<double> x, const ada::PeriodicBox& box, double tol) {
    const int d = o.dimension();
    const size_t n = o.atoms().size();
    std::vector<double> value(d), jac(d * n * 3), plus(d), minus(d);
    o.evaluate(x.data(), box, value.data(), jac.data());
    // Accumulate per atom index (atoms may repeat in the list).
    std::vector<double> full(d * x.size(), 0.0);
    for (int k = 0; k < d; ++k)
        for (size_t a = 0; a < n; ++a)
            for (int c = 0; c < 3; ++c)
                full[k * x.size() + 3 * o.atoms()[a] + c] += jac[(k * n + a) * 3 + c];
    const double h = 1e-6;
    for (int atom : o.atoms())
        for (int c = 0; c < 3; ++c) {
            const double saved = x[3 * atom + c];
            x[3 * atom + c] = saved + h;
            o.evaluate(x.data(), box, plus.data(), nullptr);
            x[3 * atom + c] = saved - h;
            o.evaluate(x.data(), box, minus.data(), nullptr);
            x[3 * atom + c] = saved;
            for (int k = 0; k < d; ++k) {
                const double fd = (plus[k] - minus[k]) / (2 * h);
                EXPECT_NEAR(full[k * x.size() + 3 * atom + c], fd, tol * std::max(1.0, std::abs(fd)))
                    << o.type() << " value " << k << " atom " << atom << " component " << c;
            }
        }
}

ada::PeriodicBox cubicBox(double L) {
    const double a[3] = {L, 0, 0}, b[3] = {0, L, 0}, c[3] = {0, 0, L};
    return ada::PeriodicBox::fromVectors(a, b, c);
}

const json kSpecs = json::array({
    {{"type", "distance"}, {"atoms", {0, 5}}},
    {{"type", "angle"}, {"atoms", {1, 2, 3}}},
    {{"type", "dihedral"}, {"atoms", {0, 1, 2, 3}}},
    {{"type", "rg"}, {"atoms", {0, 1, 2, 3, 4, 5, 6}}},
    {{"type", "jcoupling"}, {"atoms", {4, 5, 6, 7}}},
    {{"type", "coordinates"}, {"atoms", {2, 7}}, {"components", "xz"}},
    {{"type", "contacts"}, {"groups", {{0, 1, 2}, {5, 6, 7}}}, {"r0", 0.6}},
    {{"type", "contacts"}, {"pairs", {{0, 4}, {3, 7}}}, {"r0", 0.5}, {"n", 8}, {"m", 14}},
    {{"type", "contact_map"}, {"atoms", {0, 2, 5, 7}}, {"r0", 0.5}},
    {{"type", "rdf"}, {"groups", {{0, 1, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7}}}, {"bins", 6}, {"rmin", 0.1}, {"rmax", 1.3}, {"volume", 8.0}},
});

}  // namespace

TEST(Observables, JacobiansMatchFiniteDifferences) {
    for (const json& spec : kSpecs) {
        auto o = ada::makeObservable(spec, "test");
        for (unsigned seed = 1; seed <= 3; ++seed)
            expectJacobianMatchesFiniteDifferences(*o, randomPositions(8, 0.6, seed), ada::PeriodicBox::none(), 1e-6);
    }
}

TEST(Observables, JacobiansMatchFiniteDifferencesInPeriodicBox) {
    // Positions spread over several box images: the minimum image must be taken consistently.
    for (const json& spec : kSpecs) {
        auto o = ada::makeObservable(spec, "test");
        for (unsigned seed = 4; seed <= 5; ++seed)
            expectJacobianMatchesFiniteDifferences(*o, randomPositions(8, 3.0, seed), cubicBox(2.0), 1e-6);
    }
}

TEST(Observables, KnownValues) {
    // A 3-4-5 triangle: distance 5 (0.5 nm), right angle at atom 1; trans and cis dihedrals.
    std::vector<double> x = {0, 0, 0, 0.3, 0, 0, 0.3, 0.4, 0, 0.6, 0.4, 0};
    double v;
    ada::makeObservable({{"type", "distance"}, {"atoms", {0, 2}}}, "t")->evaluate(x.data(), ada::PeriodicBox(), &v, nullptr);
    EXPECT_NEAR(v, 0.5, 1e-12);
    ada::makeObservable({{"type", "angle"}, {"atoms", {0, 1, 2}}}, "t")->evaluate(x.data(), ada::PeriodicBox(), &v, nullptr);
    EXPECT_NEAR(v, M_PI / 2, 1e-12);
    ada::makeObservable({{"type", "dihedral"}, {"atoms", {0, 1, 2, 3}}}, "t")->evaluate(x.data(), ada::PeriodicBox(), &v, nullptr);
    EXPECT_NEAR(std::abs(v), M_PI, 1e-12);  // trans
    // Rotate the last atom out of plane by +90 degrees about the 1-2 axis: |phi| = 90 degrees.
    std::vector<double> y = {0, 0, 0, 0.3, 0, 0, 0.3, 0.4, 0, 0.3, 0.4, 0.3};
    ada::makeObservable({{"type", "dihedral"}, {"atoms", {0, 1, 2, 3}}}, "t")->evaluate(y.data(), ada::PeriodicBox(), &v, nullptr);
    EXPECT_NEAR(std::abs(v), M_PI / 2, 1e-12);
    // Rg of the four corners of a square of side 0.2: each 0.1*sqrt(2) from the centre.
    std::vector<double> sq = {0, 0, 0, 0.2, 0, 0, 0.2, 0.2, 0, 0, 0.2, 0};
    ada::makeObservable({{"type", "rg"}, {"atoms", {0, 1, 2, 3}}}, "t")->evaluate(sq.data(), ada::PeriodicBox(), &v, nullptr);
    EXPECT_NEAR(v, 0.1 * std::sqrt(2.0), 1e-12);
    // The same square split across a periodic boundary has the same Rg.
    std::vector<double> split = {0.1, 0, 0, 1.9, 0, 0, 1.9, 0.2, 0, 0.1, 0.2, 0};  // box of 2: x = 0.1 and -0.1
    ada::makeObservable({{"type", "rg"}, {"atoms", {0, 1, 2, 3}}}, "t")->evaluate(split.data(), cubicBox(2.0), &v, nullptr);
    EXPECT_NEAR(v, 0.1 * std::sqrt(2.0), 1e-12);
    // J-coupling at the trans dihedral, theta = pi - pi/3: A cos^2 + B cos + C.
    ada::makeObservable({{"type", "jcoupling"}, {"atoms", {0, 1, 2, 3}}}, "t")->evaluate(x.data(), ada::PeriodicBox(), &v, nullptr);
    const double c = std::cos(M_PI - M_PI / 3);
    EXPECT_NEAR(v, 6.51 * c * c - 1.76 * c + 1.60, 1e-10);
    // Contacts at exactly r = r0 take the limit n/m.
    ada::makeObservable({{"type", "contacts"}, {"pairs", {{0, 1}}}, {"r0", 0.3}}, "t")->evaluate(x.data(), ada::PeriodicBox(), &v, nullptr);
    EXPECT_NEAR(v, 0.5, 1e-9);
}

TEST(Observables, RdfIntegratesToPairDensity) {
    // Integral of g(r) 4 pi r^2 dr * P / V over a window holding every pair distance = number of pairs.
    auto x = randomPositions(6, 0.4, 9);
    auto o = ada::makeObservable({{"type", "rdf"}, {"groups", {{0, 1, 2}, {3, 4, 5}}}, {"bins", 400}, {"rmin", 0.0}, {"rmax", 2.0},
                                  {"sigma", 0.02}, {"volume", 3.0}}, "t");
    std::vector<double> g(400);
    o->evaluate(x.data(), ada::PeriodicBox(), g.data(), nullptr);
    double integral = 0;
    for (int k = 0; k < 400; ++k) {
        const double r = (k + 0.5) * 0.005;
        integral += g[k] * 4 * M_PI * r * r * 0.005;
    }
    EXPECT_NEAR(integral * 9 / 3.0, 9.0, 0.02);
}

TEST(Observables, BadSpecificationsNameTheProblem) {
    auto message = [](const json& spec) {
        try {
            ada::makeObservable(spec, "bias.json: terms[0].observable");
        } catch (const ada::SpecError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message({{"type", "distances"}, {"atoms", {0, 1}}}).find("unknown observable type \"distances\""), std::string::npos);
    EXPECT_NE(message({{"type", "distance"}, {"atoms", {0, 1, 2}}}).find("expected 2 atom indices"), std::string::npos);
    EXPECT_NE(message({{"type", "dihedral"}, {"atoms", {0, -1, 2, 3}}}).find("atoms[1]"), std::string::npos);
    EXPECT_NE(message({{"type", "angle"}}).find("terms[0].observable.atoms: required field is missing"), std::string::npos);
    EXPECT_NE(message({{"type", "contacts"}, {"pairs", {{0, 1}}}, {"r0", -1.0}}).find("r0"), std::string::npos);
    EXPECT_NE(message({{"type", "coordinates"}, {"atoms", {0}}, {"components", "xw"}}).find("components"), std::string::npos);
    auto o = ada::makeObservable({{"type", "distance"}, {"atoms", {0, 22}}}, "t");
    EXPECT_THROW(o->checkAtoms(22), ada::SpecError);
    EXPECT_NO_THROW(o->checkAtoms(23));
}
