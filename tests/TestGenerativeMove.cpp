// GenerativeMove (DESIGN.md §3.6) inside OpenMM. On every platform present (one parameterised suite): a
// proposal equal to the target is always accepted and the counters say so; moves that are always rejected
// leave the MD trajectory exactly as without them; a seed gives one trajectory. Exactness on a particle in an
// asymmetric 1-D double well (Langevin MD + moves against the analytic distribution), with a trained flow and
// with a deliberately poor proposal (lower acceptance, same distribution), while MD alone stays in its well.
// Serialization round trip, and clear errors for bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

#include <ATen/ATen.h>

#include "GenerativeMove.h"
#include "GenerativeMoveTesting.h"
#include "openmm/Context.h"
#include "openmm/CustomExternalForce.h"
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

std::string zeroFieldModel(const std::string& name, int particles, double scale, bool centred = false) {
    return constantFieldModel(name, 3 * particles, scale, centred);
}

// A second particle in its own harmonic well, never moved: the moves act on a subset, and (a workaround) OpenMM
// 8.6.1's OpenCL platform on PoCL crashes computing the kinetic energy of a one-particle System.
void addSpectator(System& system) {
    system.addParticle(10.0);
    auto* tether = new CustomExternalForce("0.5*50*((x-0.5)^2+(y-0.5)^2+(z-0.5)^2)");
    tether->addParticle(system.getNumParticles() - 1);
    system.addForce(tether);
}

// Harmonic well U = k/2 |r|² for particle 0: π = N(0, kT/k I).
std::unique_ptr<System> harmonicSystem(double k) {
    auto system = std::make_unique<System>();
    system->addParticle(10.0);
    auto* force = new CustomExternalForce("0.5*k*(x^2+y^2+z^2)");
    force->addGlobalParameter("k", k);
    force->addParticle(0);
    system->addForce(force);
    addSpectator(*system);
    return system;
}

// An asymmetric double well in x (u = x / 1 nm), harmonic in y and z:
//   U = h (u² − 1)² + b u + k/2 (y² + z²),  h = 5 kT (barrier), b = 1 kT (the well at u = −1 is e² ≈ 7.4 times
// as populated as the one at u = +1).
const double kBarrier = 5 * kT, kTilt = 1 * kT, kTransverse = 30.0;

std::unique_ptr<System> doubleWellSystem() {
    auto system = std::make_unique<System>();
    system->addParticle(10.0);
    auto* force = new CustomExternalForce("h*(x^2-1)^2 + b*x + 0.5*k*(y^2+z^2)");
    force->addGlobalParameter("h", kBarrier);
    force->addGlobalParameter("b", kTilt);
    force->addGlobalParameter("k", kTransverse);
    force->addParticle(0);
    system->addForce(force);
    addSpectator(*system);
    return system;
}

// The analytic marginal of x: p(u) ∝ exp(−(h (u² − 1)² + b u)/kT).
TabulatedMarginal doubleWellMarginal() {
    return TabulatedMarginal([](double u) { return (kBarrier * std::pow(u * u - 1, 2) + kTilt * u) / kT; }, -2.5, 2.5);
}

// A flow trained for about a second on exact samples of the double well: a good, imperfect proposal.
std::string trainedDoubleWellModel() {
    const TabulatedMarginal marginal = doubleWellMarginal();
    std::mt19937_64 random(1);
    std::uniform_real_distribution<double> uniform(0, 1);
    std::normal_distribution<double> normal(0, std::sqrt(kT / kTransverse));
    const int n = 4096;
    at::Tensor data = at::empty({n, 3}, at::kDouble);
    for (int i = 0; i < n; ++i) {
        data[i][0] = marginal.quantile(uniform(random));
        data[i][1] = normal(random);
        data[i][2] = normal(random);
    }
    return trainedFlow(data, "double_well_flow.adab");
}

class GenerativeMoveOnPlatform : public OnPlatform {
protected:
    std::unique_ptr<Context> makeContext(System& system, Integrator& integrator, const Vec3& position) {
        auto context = std::make_unique<Context>(system, integrator, *platform_);
        context->setPositions({position, Vec3(0.5, 0.5, 0.5)});
        context->setVelocitiesToTemperature(kTemperature, 7);
        return context;
    }
};

TEST_P(GenerativeMoveOnPlatform, AProposalEqualToTheTargetIsAlwaysAccepted) {
    // π = N(0, kT/k I) and Q = N(0, s² I) with s² = kT/k: the Metropolis–Hastings ratio is exactly 1.
    const double k = 50.0;
    std::unique_ptr<System> system = harmonicSystem(k);
    auto* move = new GenerativeMove(zeroFieldModel("harmonic.adab", 1, std::sqrt(kT / k)), {0}, 10, kTemperature);
    move->setAttemptsPerMove(3);
    move->setRandomNumberSeed(5);
    system->addForce(move);
    LangevinMiddleIntegrator integrator(kTemperature, 5.0, 0.004);
    std::unique_ptr<Context> context = makeContext(*system, integrator, Vec3(0.1, 0.0, 0.0));
    integrator.step(100);  // steps 10, 20, ..., 90 begin with a move; step 100 has not begun
    EXPECT_EQ(move->getNumAttempted(*context), 27);
    EXPECT_EQ(move->getNumAccepted(*context), 27);
    // The force adds no energy.
    move->setForceGroup(1);
    context->reinitialize(true);
    EXPECT_EQ(context->getState(State::Energy, false, 1 << 1).getPotentialEnergy(), 0.0);
}

TEST_P(GenerativeMoveOnPlatform, RejectedMovesLeaveTheTrajectoryUntouched) {
    // Proposals from N(0, (1e-3 nm)² I) near the barrier top: the reverse density at a well is exp(−5·10⁵),
    // so every move is rejected, and MD runs exactly as without the force.
    // One Context after the other: the Reference platform's random numbers are a process-wide stream.
    auto run = [&](bool withMoves) {
        std::unique_ptr<System> system = doubleWellSystem();
        GenerativeMove* move = nullptr;
        if (withMoves) {
            move = new GenerativeMove(zeroFieldModel("narrow.adab", 1, 1e-3), {0}, 5, kTemperature);
            move->setAttemptsPerMove(2);
            system->addForce(move);
        }
        LangevinMiddleIntegrator integrator(kTemperature, 5.0, 0.01);
        integrator.setRandomNumberSeed(11);
        std::unique_ptr<Context> context = makeContext(*system, integrator, Vec3(1.0, 0.1, 0.0));
        integrator.step(51);
        if (withMoves) {
            EXPECT_EQ(move->getNumAttempted(*context), 20);
            EXPECT_EQ(move->getNumAccepted(*context), 0);
        }
        return context->getState(State::Positions | State::Velocities);
    };
    const State sa = run(false), sb = run(true);
    EXPECT_EQ(sa.getPositions()[0], sb.getPositions()[0]);
    EXPECT_EQ(sa.getVelocities()[0], sb.getVelocities()[0]);
    EXPECT_EQ(sa.getPositions()[1], sb.getPositions()[1]);
}

TEST_P(GenerativeMoveOnPlatform, ASeedGivesOneTrajectory) {
    auto run = [&](int seed) {
        std::unique_ptr<System> system = doubleWellSystem();
        auto* move = new GenerativeMove(zeroFieldModel("seeded.adab", 1, 1.0), {0}, 4, kTemperature);
        move->setRandomNumberSeed(seed);
        move->setBatchSize(5);
        system->addForce(move);
        LangevinMiddleIntegrator integrator(kTemperature, 5.0, 0.01);
        integrator.setRandomNumberSeed(3);
        std::unique_ptr<Context> context = makeContext(*system, integrator, Vec3(1.0, 0.0, 0.0));
        integrator.step(200);
        EXPECT_GT(move->getNumAccepted(*context), 0);
        return std::make_pair(context->getState(State::Positions).getPositions()[0], move->getNumAccepted(*context));
    };
    const auto first = run(21), second = run(21), other = run(22);
    EXPECT_EQ(first.first, second.first);
    EXPECT_EQ(first.second, second.second);
    EXPECT_NE(first.first, other.first);
}

INSTANTIATE_TEST_SUITE_P(Platforms, GenerativeMoveOnPlatform, testing::Values("Reference", "CPU", "OpenCL", "CUDA"), platformName);

// MD + moves every `frequency` steps from the minority well (x = 1); x after each chunk of `frequency` steps.
MoveRun runDoubleWell(const std::string& model, int moves, int frequency) {
    std::unique_ptr<System> system = doubleWellSystem();
    GenerativeMove* move = model.empty() ? nullptr : new GenerativeMove(model, {0}, frequency, kTemperature);
    return runWithMoves(*system, move, 0.01, {Vec3(1.0, 0.0, 0.0), Vec3(0.5, 0.5, 0.5)}, moves, frequency,
                        [](const std::vector<Vec3>& x) { return x[0][0]; });
}

}  // namespace

TEST(GenerativeMove, MDWithMovesSamplesTheDoubleWellExactly) {
    const std::string trained = trainedDoubleWellModel();
    const int moves = 1200, frequency = 20;
    expectExactSampling(runDoubleWell("", moves, frequency), 0.8, runDoubleWell(trained, moves, frequency),
                        runDoubleWell(zeroFieldModel("poor.adab", 1, 1.5), moves, frequency), moves, doubleWellMarginal(),
                        {-1e9, -1.2, -1.0, -0.8, 0.0, 1.0, 1e9}, "N(0, 2.25 nm^2 I)");
}

TEST(GenerativeMove, SerializationRoundTrip) {
    auto move = std::make_unique<GenerativeMove>(zeroFieldModel("serialized.adab", 2, 0.3, true), std::vector<int>{3, 1}, 25, 310.0);
    move->setAttemptsPerMove(4);
    move->setBatchSize(7);
    move->setTolerance(1e-4);
    move->setRandomNumberSeed(99);
    move->setForceGroup(3);
    move->setName("jumps");
    const std::unique_ptr<GenerativeMove> restored = xmlRoundTrip(*move);
    ASSERT_NE(restored, nullptr);
    EXPECT_EQ(restored->getAtoms(), (std::vector<int>{3, 1}));
    EXPECT_EQ(restored->getFrequency(), 25);
    EXPECT_EQ(restored->getTemperature(), 310.0);
    EXPECT_EQ(restored->getAttemptsPerMove(), 4);
    EXPECT_EQ(restored->getBatchSize(), 7);
    EXPECT_EQ(restored->getTolerance(), 1e-4);
    EXPECT_EQ(restored->getRandomNumberSeed(), 99);
    EXPECT_EQ(restored->getForceGroup(), 3);
    EXPECT_EQ(restored->getName(), "jumps");
    EXPECT_EQ(restored->getModelBytes(), move->getModelBytes());
    EXPECT_EQ(restored->getNumModelParticles(), 2);
}

TEST(GenerativeMove, BadInputGivesClearErrors) {
    const std::string model = zeroFieldModel("errors.adab", 2, 0.3);
    EXPECT_NE(errorOf([&] { GenerativeMove(model, {0, 1, 2}, 10); })
                  .find("GenerativeMove: the model describes 2 particles (6 coordinates), but 3 atoms are moved"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { GenerativeMove(model, {0, 1}, 0); }).find("the frequency must be a positive number of steps, found 0"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { GenerativeMove(model, {0, 1}, -3); }).find("found -3"), std::string::npos);
    EXPECT_NE(errorOf([&] { GenerativeMove(model, {0, 1}, 10, 0.0); }).find("the temperature must be positive (K), found 0"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { GenerativeMove(model, {0, -1}, 10); }).find("atom index -1 (entry 1) is negative"), std::string::npos);
    EXPECT_NE(errorOf([&] { GenerativeMove(model, {4, 4}, 10); }).find("atom index 4 is listed twice"), std::string::npos);
    EXPECT_NE(errorOf([&] { GenerativeMove(tmpPath("missing.adab"), {0, 1}, 10); }).find("cannot open the model file"), std::string::npos);
    {
        std::ofstream out(tmpPath("not_a_model.adab"));
        out << "hello";
    }
    EXPECT_NE(errorOf([&] { GenerativeMove(tmpPath("not_a_model.adab"), {0, 1}, 10); }).find("not an openmm-ada bundle"), std::string::npos);
    EXPECT_NE(errorOf([&] { GenerativeMove(model, {0, 1}, 10).setBatchSize(0); }).find("the batch size must be at least 1"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { GenerativeMove(model, {0, 1}, 10).setAttemptsPerMove(0); }).find("the attempts per move must be at least 1"),
              std::string::npos);

    // Checked against the System when a Context is created.
    auto contextError = [&](const std::vector<int>& atoms, int particles, bool constrain) {
        System system;
        for (int i = 0; i < particles; ++i)
            system.addParticle(1.0);
        if (constrain)
            system.addConstraint(0, 1, 0.1);
        system.addForce(new GenerativeMove(model, atoms, 10));
        LangevinMiddleIntegrator integrator(300, 1, 0.001);
        return errorOf([&] { Context context(system, integrator, Platform::getPlatformByName("Reference")); });
    };
    EXPECT_NE(contextError({0, 5}, 3, false).find("atom index 5 (entry 1) is out of range: the System has 3 particles"), std::string::npos);
    EXPECT_NE(contextError({}, 3, false).find("the model describes 2 particles (6 coordinates), but 3 atoms would be moved"),
              std::string::npos);
    EXPECT_NE(contextError({0, 1}, 3, true).find("moved particle 0 is in constraint 0 (0-1)"), std::string::npos);
}
