// GenerativeMove with torsions (ada/flow/TorsionProposal.h) inside OpenMM, on a 4-atom chain 0–1–2–3 with
// harmonic bonds and angles and a potential V(φ) on its dihedral: for such a chain the marginal of φ is exactly
// p(φ) ∝ exp(−V(φ)/kT) (the Jacobian Π r² sin α of its internal coordinates does not depend on φ).
// On every platform present: a Gaussian proposal equal to the conditional of φ for a harmonic V is always
// accepted (the rotation changes no other energy term and the scale is honoured), with constrained bonds that
// keep their lengths. Exactness for a double-well V with a barrier MD does not cross: MD + moves reproduces
// p(φ) with a trained flow and with a deliberately poor, off-centre proposal (lower acceptance, same
// distribution: without the proposal densities in the acceptance it would be biased), while MD alone stays in
// its well. Serialization round trip (and reading version 1), and clear errors for bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <sstream>

#include <ATen/ATen.h>

#include "GenerativeMove.h"
#include "GenerativeMoveTesting.h"
#include "ada/observables/Dihedral.h"
#include "openmm/Context.h"
#include "openmm/CustomTorsionForce.h"
#include "openmm/HarmonicAngleForce.h"
#include "openmm/HarmonicBondForce.h"
#include "openmm/LangevinMiddleIntegrator.h"
#include "openmm/OpenMMException.h"
#include "openmm/Platform.h"
#include "openmm/State.h"
#include "openmm/System.h"
#include "openmm/serialization/XmlSerializer.h"

using namespace OpenMM;
using namespace generative_move_testing;
using OpenMMADA::GenerativeMove;

namespace {

const double kBond = 0.153, kAngle = 1.911;  // nm, rad

// Atom d placed after a, b, c with |d − c| = bond, angle b–c–d and dihedral a–b–c–d (IUPAC sign).
Vec3 place(const Vec3& a, const Vec3& b, const Vec3& c, double bond, double angle, double dihedral) {
    const Vec3 bc = (c - b) / std::sqrt((c - b).dot(c - b));
    Vec3 n = (b - a).cross(bc);
    n = n / std::sqrt(n.dot(n));
    const Vec3 m = n.cross(bc);
    return c - bc * (bond * std::cos(angle)) + m * (bond * std::sin(angle) * std::cos(dihedral)) +
           n * (bond * std::sin(angle) * std::sin(dihedral));
}

// The chain 0–1–2–3 with bond lengths kBond, bond angles kAngle and dihedral phi.
std::vector<Vec3> chainPositions(double phi) {
    std::vector<Vec3> x = {Vec3(kBond, 0, 0), Vec3(0, 0, 0), Vec3(kBond * std::cos(kAngle), kBond * std::sin(kAngle), 0)};
    x.push_back(place(x[0], x[1], x[2], kBond, kAngle, phi));
    return x;
}

double dihedralOf(const std::vector<Vec3>& x) {
    const std::vector<double> flat = {x[0][0], x[0][1], x[0][2], x[1][0], x[1][1], x[1][2],
                                      x[2][0], x[2][1], x[2][2], x[3][0], x[3][1], x[3][2]};
    const int atoms[4] = {0, 1, 2, 3};
    return ada::dihedralAngle(flat.data(), atoms, ada::PeriodicBox::none(), nullptr);
}

// The chain with torsion energy `energy` (a CustomTorsionForce expression in theta, kJ/mol). Constrained bonds
// (pairs from `constraints`) get a constraint instead of a harmonic bond.
std::unique_ptr<System> chainSystem(const std::string& energy, const std::vector<std::pair<int, int>>& constraints = {}) {
    auto system = std::make_unique<System>();
    for (int i = 0; i < 4; ++i)
        system->addParticle(12.0);
    auto* bonds = new HarmonicBondForce();
    for (int i = 0; i < 3; ++i) {
        if (std::find(constraints.begin(), constraints.end(), std::make_pair(i, i + 1)) != constraints.end())
            system->addConstraint(i, i + 1, kBond);
        else
            bonds->addBond(i, i + 1, kBond, 5e4);
    }
    system->addForce(bonds);
    auto* angles = new HarmonicAngleForce();
    angles->addAngle(0, 1, 2, kAngle, 400.0);
    angles->addAngle(1, 2, 3, kAngle, 400.0);
    system->addForce(angles);
    auto* torsion = new CustomTorsionForce(energy);
    torsion->addTorsion(0, 1, 2, 3);
    system->addForce(torsion);
    return system;
}

// The double well V(φ) = A (1 + cos 2φ) + B sin φ: wells at ±π/2 behind barriers of 2A = 12 kT at 0 and π; the
// well at −π/2 is e^{2B/kT} = e ≈ 2.7 times as populated as the one at +π/2.
const double kWell = 6 * kT, kTiltTorsion = 0.5 * kT;

std::string doubleWellEnergy() {
    std::ostringstream expression;
    expression.precision(17);
    expression << kWell << "*(1+cos(2*theta))+" << kTiltTorsion << "*sin(theta)";
    return expression.str();
}

TabulatedMarginal torsionMarginal() {
    return TabulatedMarginal([](double phi) { return (kWell * (1 + std::cos(2 * phi)) + kTiltTorsion * std::sin(phi)) / kT; }, -M_PI, M_PI);
}

GenerativeMove* torsionMove(const std::string& model, int frequency) {
    auto* move = new GenerativeMove(model, {}, frequency, kTemperature);
    move->addTorsion(0, 1, 2, 3, {3});
    return move;
}

class TorsionMoveOnPlatform : public OnPlatform {};

TEST_P(TorsionMoveOnPlatform, TheExactConditionalIsAlwaysAcceptedAndConstraintsKeepTheirLengths) {
    // V(φ) = ½ k φ² with k = kT/s²: given the bonds and angles, φ ~ N(0, s²) (to e^{−π²/2s²} ≈ 1e-9 at the
    // window's ends), and the proposal is that N(0, s²) restricted to [−π, π): ln α = 0 up to rounding. Bonds
    // 0–1 (unrotated) and 2–3 (axis atom 2 to rotated atom 3) are constraints.
    const double s = 0.5;
    std::ostringstream energy;
    energy.precision(17);
    energy << 0.5 * kT / (s * s) << "*theta^2";
    std::unique_ptr<System> system = chainSystem(energy.str(), {{0, 1}, {2, 3}});
    GenerativeMove* move = torsionMove(constantFieldModel("torsion_exact.adab", 1, s), 10);
    move->setAttemptsPerMove(2);
    move->setRandomNumberSeed(3);
    system->addForce(move);
    LangevinMiddleIntegrator integrator(kTemperature, 5.0, 0.002);
    integrator.setRandomNumberSeed(4);
    Context context(*system, integrator, *platform_);
    context.setPositions(chainPositions(0.3));
    context.setVelocitiesToTemperature(kTemperature, 5);
    integrator.step(200);  // steps 10, 20, ..., 190 begin with a move step
    EXPECT_EQ(move->getNumAttempted(context), 38);
    if (GetParam() == "Reference")
        EXPECT_EQ(move->getNumAccepted(context), 38);
    else  // single-precision energies: ln α is 0 only to their rounding
        EXPECT_GE(move->getNumAccepted(context), 34);
    const std::vector<Vec3> x = context.getState(State::Positions).getPositions();
    for (const auto& bond : {std::make_pair(0, 1), std::make_pair(2, 3)}) {
        const Vec3 d = x[bond.first] - x[bond.second];
        EXPECT_NEAR(std::sqrt(d.dot(d)), kBond, 1e-4 * kBond);
    }
}

INSTANTIATE_TEST_SUITE_P(Platforms, TorsionMoveOnPlatform, testing::Values("Reference", "CPU", "OpenCL", "CUDA"), platformName);

// MD (2 fs) + moves every `frequency` steps from the minority well (φ = +π/2); φ after each chunk.
MoveRun runTorsionChain(const std::string& model, int moves, int frequency) {
    std::unique_ptr<System> system = chainSystem(doubleWellEnergy());
    return runWithMoves(*system, model.empty() ? nullptr : torsionMove(model, frequency), 0.002, chainPositions(M_PI / 2), moves,
                        frequency, dihedralOf);
}

// A flow trained for about a second on exact samples of p(φ) on [−π, π).
std::string trainedTorsionModel() {
    const TabulatedMarginal marginal = torsionMarginal();
    std::mt19937_64 random(1);
    std::uniform_real_distribution<double> uniform(0, 1);
    const int n = 4096;
    at::Tensor data = at::empty({n, 1}, at::kDouble);
    for (int i = 0; i < n; ++i)
        data[i][0] = marginal.quantile(uniform(random));
    return trainedFlow(data, "torsion_flow.adab");
}

}  // namespace

TEST(TorsionMove, TheChainStartsWhereItIsPut) {
    EXPECT_NEAR(dihedralOf(chainPositions(M_PI / 2)), M_PI / 2, 1e-12);
    EXPECT_NEAR(dihedralOf(chainPositions(-2.0)), -2.0, 1e-12);
}

TEST(TorsionMove, MDWithTorsionMovesSamplesTheDihedralExactly) {
    // The poor proposal N(0.8, 1.2²) rad favours the minority well about 6-fold: without its densities in the
    // acceptance the well at +π/2 would hold about 2/3 of the samples instead of 0.27.
    const int moves = 1200, frequency = 25;
    expectExactSampling(runTorsionChain("", moves, frequency), 0.95, runTorsionChain(trainedTorsionModel(), moves, frequency),
                        runTorsionChain(constantFieldModel("torsion_poor.adab", 1, 1.2, false, {0.8 / 1.2}), moves, frequency), moves,
                        torsionMarginal(), {-M_PI, -2.2, -1.57, -0.9, 0.0, 0.9, 1.57, 2.2, M_PI + 1e-9}, "N(0.8, 1.44) rad");
}

TEST(TorsionMove, SerializationRoundTrip) {
    auto move = std::make_unique<GenerativeMove>(constantFieldModel("torsion_serialized.adab", 2, 0.7), std::vector<int>{}, 25, 310.0);
    move->addTorsion(0, 1, 2, 3, {3, 4}, -2.5);
    move->addTorsion(5, 2, 1, 0, {0, 6}, 1.25);
    move->setAttemptsPerMove(4);
    move->setRandomNumberSeed(99);
    const std::unique_ptr<GenerativeMove> restored = xmlRoundTrip(*move);
    ASSERT_NE(restored, nullptr);
    ASSERT_EQ(restored->getNumTorsions(), 2);
    int p1, p2, p3, p4;
    std::vector<int> rotated;
    double windowStart;
    restored->getTorsionParameters(1, p1, p2, p3, p4, rotated, windowStart);
    EXPECT_EQ(std::vector<int>({p1, p2, p3, p4}), std::vector<int>({5, 2, 1, 0}));
    EXPECT_EQ(rotated, std::vector<int>({0, 6}));
    EXPECT_EQ(windowStart, 1.25);
    restored->getTorsionParameters(0, p1, p2, p3, p4, rotated, windowStart);
    EXPECT_EQ(rotated, std::vector<int>({3, 4}));
    EXPECT_EQ(windowStart, -2.5);
    EXPECT_EQ(restored->getModelDimension(), 2);
    EXPECT_EQ(restored->getAttemptsPerMove(), 4);

    // Version 1 (before torsions) is still read.
    GenerativeMove cartesian(constantFieldModel("cartesian_v1.adab", 6, 0.3), {3, 1}, 25);
    std::stringstream current;
    XmlSerializer::serialize<Force>(&cartesian, "Force", current);
    std::string old = current.str();
    const size_t version = old.find("version=\"2\"");
    ASSERT_NE(version, std::string::npos);
    old.replace(version, 11, "version=\"1\"");
    const size_t torsions = old.find("<Torsions/>");
    ASSERT_NE(torsions, std::string::npos);
    old.erase(torsions, 11);
    std::stringstream oldStream(old);
    std::unique_ptr<Force> fromOld(XmlSerializer::deserialize<Force>(oldStream));
    auto* v1 = dynamic_cast<GenerativeMove*>(fromOld.get());
    ASSERT_NE(v1, nullptr);
    EXPECT_EQ(v1->getAtoms(), std::vector<int>({3, 1}));
    EXPECT_EQ(v1->getNumTorsions(), 0);
}

TEST(TorsionMove, BadInputGivesClearErrors) {
    const std::string model = constantFieldModel("torsion_errors.adab", 1, 0.5);
    auto addError = [&](int p1, int p2, int p3, int p4, const std::vector<int>& rotated, double windowStart = -M_PI) {
        GenerativeMove move(model, {}, 10);
        return errorOf([&] { move.addTorsion(p1, p2, p3, p4, rotated, windowStart); });
    };
    EXPECT_NE(addError(0, 1, 2, 3, {4}).find("GenerativeMove: torsion 0 (atoms 0-1-2-3): the rotated atoms must include d (atom 3)"),
              std::string::npos);
    EXPECT_NE(addError(0, 1, 2, 3, {3, 1}).find("rotated atom 1 is its b"), std::string::npos);
    EXPECT_NE(addError(0, 1, 2, 3, {}).find("no rotated atoms"), std::string::npos);
    EXPECT_NE(addError(0, 1, 2, 3, {3, 3}).find("rotated atom 3 is listed twice"), std::string::npos);
    EXPECT_NE(addError(0, -1, 2, 3, {3}).find("atom index -1 is negative"), std::string::npos);
    EXPECT_NE(addError(0, 1, 1, 3, {3}).find("the four atoms must be distinct"), std::string::npos);
    EXPECT_NE(addError(0, 1, 2, 3, {3}, std::nan("")).find("the window start must be finite"), std::string::npos);
    {
        GenerativeMove move(model, {}, 10);
        move.addTorsion(0, 1, 2, 3, {3});
        EXPECT_NE(errorOf([&] { move.setAtoms({0}); }).find("atoms cannot be given for torsion moves"), std::string::npos);
        int p1, p2, p3, p4;
        std::vector<int> rotated;
        double windowStart;
        EXPECT_NE(errorOf([&] { move.getTorsionParameters(1, p1, p2, p3, p4, rotated, windowStart); })
                      .find("torsion index 1 is out of range: there are 1 torsions"),
                  std::string::npos);
        EXPECT_NE(errorOf([&] { move.setTorsionParameters(0, 0, 1, 2, 3, {3, 2}, 0.0); }).find("rotated atom 2 is its c"), std::string::npos);
    }
    {
        GenerativeMove move(constantFieldModel("torsion_errors_cartesian.adab", 3, 0.5), {0}, 10);
        EXPECT_NE(errorOf([&] { move.addTorsion(0, 1, 2, 3, {3}); }).find("torsions cannot be added to a move of 1 given atoms"),
                  std::string::npos);
    }
    EXPECT_NE(errorOf([&] { GenerativeMove(model, {0}, 10); })
                  .find("the model is a density on 1 numbers, not on the 3-D positions of particles, but 1 atoms are moved"),
              std::string::npos);

    // Checked against the System when a Context is created.
    auto contextError = [&](const std::string& modelFile, const std::vector<std::vector<int>>& torsions,
                            const std::vector<std::pair<int, int>>& constraints, int particles = 4) {
        System system;
        for (int i = 0; i < particles; ++i)
            system.addParticle(12.0);
        for (const auto& constraint : constraints)
            system.addConstraint(constraint.first, constraint.second, kBond);
        auto* move = new GenerativeMove(modelFile, {}, 10);
        for (const auto& t : torsions)
            move->addTorsion(t[0], t[1], t[2], t[3], std::vector<int>(t.begin() + 3, t.end()));
        system.addForce(move);
        LangevinMiddleIntegrator integrator(300, 1, 0.001);
        return errorOf([&] { Context context(system, integrator, Platform::getPlatformByName("Reference")); });
    };
    EXPECT_EQ(contextError(model, {{0, 1, 2, 3}}, {{0, 1}, {2, 3}}), "no error");
    EXPECT_NE(contextError(model, {{0, 1, 2, 3}}, {{0, 1}, {1, 3}}).find("axis atom 1 of torsion 0 is constrained to rotated atom 3 and to unrotated atom 0"),
              std::string::npos);
    EXPECT_NE(contextError(model, {{0, 1, 2, 9}}, {}).find("GenerativeMove: torsion 0 (atoms 0-1-2-9): atom index 9 is out of range: there are 4 particles"),
              std::string::npos);
    EXPECT_NE(contextError(constantFieldModel("torsion_errors_2d.adab", 2, 0.5), {{0, 1, 2, 3}}, {})
                  .find("the model is a density on 2 numbers, but 1 torsions are moved"),
              std::string::npos);
    EXPECT_NE(contextError(constantFieldModel("torsion_errors_centred.adab", 3, 0.5, true), {{0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 5}}, {}, 6)
                  .find("trained on particle positions (centred or aligned), not on torsion angles"),
              std::string::npos);
    EXPECT_NE(contextError(model, {{0, 1, 2, 3}}, {{0, 3}}).find("GenerativeMove: constraint 0 (0-3) would change length: torsion 0 rotates atom 3 but not atom 0"),
              std::string::npos);
    EXPECT_NE(contextError(model, {{0, 1, 2, 3}}, {{2, 3}, {2, 4}}, 5)
                  .find("axis atom 2 of torsion 0 is constrained to rotated atom 3 and to unrotated atom 4"),
              std::string::npos);
    {
        System system;
        for (int i = 0; i < 3; ++i)
            system.addParticle(12.0);
        system.addForce(new GenerativeMove(model, {}, 10));
        LangevinMiddleIntegrator integrator(300, 1, 0.001);
        EXPECT_NE(errorOf([&] { Context context(system, integrator, Platform::getPlatformByName("Reference")); })
                      .find("a model of torsion angles needs torsions (addTorsion) and no atoms"),
                  std::string::npos);
    }

    // Inconsistent rotated sets are found on the first move: on a chain 0–1–2–3–4, rotating atom 3 alone for
    // 0–1–2–3 changes 1–2–3–4 (its atom 4 is not rotated with 3).
    {
        std::unique_ptr<System> system = chainSystem(doubleWellEnergy());
        system->addParticle(12.0);
        auto* move = new GenerativeMove(constantFieldModel("torsion_inconsistent.adab", 2, 1.0), {}, 5);
        move->addTorsion(0, 1, 2, 3, {3});
        move->addTorsion(1, 2, 3, 4, {4});
        system->addForce(move);
        LangevinMiddleIntegrator integrator(300, 1, 0.001);
        Context context(*system, integrator, Platform::getPlatformByName("Reference"));
        std::vector<Vec3> x = chainPositions(1.0);
        x.push_back(place(x[1], x[2], x[3], kBond, kAngle, 2.0));
        context.setPositions(x);
        EXPECT_NE(errorOf([&] { integrator.step(6); }).find("the rotated sets are inconsistent"), std::string::npos);
    }
}
