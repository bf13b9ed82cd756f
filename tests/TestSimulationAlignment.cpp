// Aligning the simulation itself (DESIGN.md §3.3): one particle in an isotropic harmonic well (Boltzmann
// x ~ N(0, 0.1²) nm), experiment x ~ N(0.04, 0.08²). SimulationAlignment runs biased MD, fits the critics on
// the frames (with the bias's log-offsets) and swaps the exported bias into the Context; after a few rounds MD
// samples the experimental x distribution, which unbiased MD does not.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "ADAForce.h"
#include "SimulationAlignment.h"
#include "openmm/Context.h"
#include "openmm/CustomExternalForce.h"
#include "openmm/LangevinMiddleIntegrator.h"
#include "openmm/OpenMMException.h"
#include "openmm/Platform.h"
#include "openmm/State.h"
#include "openmm/System.h"

namespace {

constexpr double temperature = 300.0, kT = 0.00831446261815324 * temperature, sd = 0.1;

std::vector<double> sampleX(OpenMM::Context& context, int frames, int every) {
    std::vector<double> x;
    for (int f = 0; f < frames; ++f) {
        context.getIntegrator().step(every);
        x.push_back(context.getState(OpenMM::State::Positions).getPositions()[0][0]);
    }
    return x;
}

double w1(std::vector<double> a, std::vector<double> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i)
        sum += std::abs(a[i] - b[i * b.size() / a.size()]);
    return sum / static_cast<double>(a.size());
}

}  // namespace

TEST(SimulationAlignmentTest, BiasedMDReachesTheExperimentalDistribution) {
    OpenMM::System system;
    system.addParticle(1.0);
    auto* well = new OpenMM::CustomExternalForce("0.5*k*(x^2+y^2+z^2)");
    well->addGlobalParameter("k", kT / (sd * sd));
    well->addParticle(0, {});
    system.addForce(well);
    auto* force = new OpenMMADA::ADAForce();
    system.addForce(force);
    OpenMM::LangevinMiddleIntegrator integrator(temperature, 5.0, 0.002);
    integrator.setRandomNumberSeed(3);
    OpenMM::Context context(system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    context.setPositions({OpenMM::Vec3(0, 0, 0)});
    context.setVelocitiesToTemperature(temperature, 3);

    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(4);
    const at::Tensor data = 0.04 + 0.08 * at::randn({4000, 1}, g, at::kDouble);
    ada::DataPreparation identity;
    identity.numSystemAtoms = 1;
    ada::AlignmentTarget x = ada::modelObservableTarget("x", {{"type", "coordinates"}, {"atoms", {0}}, {"components", "x"}}, identity, {1, 3},
                                                        data, "test");
    OpenMMADA::SimulationAlignmentOptions options;
    options.temperature = temperature;
    options.framesPerRound = 2000;
    options.stepsPerFrame = 20;
    options.criticWarmup = 1500;
    options.critics.beta = 20.0;
    options.critics.penalty = 100.0;
    options.critics.learningRate = 1e-2;
    options.critics.steps = 200;
    options.folder = ADA_TEST_TMPDIR;
    OpenMMADA::SimulationAlignment alignment(context, *force, {x}, options);

    std::vector<double> target(2000);
    for (int i = 0; i < 2000; ++i)
        target[i] = data[i][0].item<double>();
    const double unbiased = w1(sampleX(context, 2000, 50), target);
    std::vector<double> gaps;
    for (int r = 0; r < 3; ++r)
        gaps.push_back(alignment.round()[0]);
    EXPECT_EQ(force->getNumTerms(), 1);
    const std::vector<double> biased = sampleX(context, 3000, 50);
    const double aligned = w1(biased, target);
    double mean = 0, sq = 0;
    for (double v : biased) {
        mean += v / biased.size();
        sq += v * v / biased.size();
    }
    std::printf("W1 unbiased %.4f aligned %.4f; mean %.4f sd %.4f; gaps %.4f %.4f %.4f\n", unbiased, aligned, mean,
                std::sqrt(sq - mean * mean), gaps[0], gaps[1], gaps[2]);
    // Frames 0.1 ps apart (several thousand nearly independent): W1 noise ~0.003 nm; unbiased gap ~0.04 nm.
    EXPECT_GT(unbiased, 0.03);
    EXPECT_LT(aligned, 0.01);
    EXPECT_NEAR(mean, 0.04, 0.01);
}

TEST(SimulationAlignmentTest, RejectsBadOptions) {
    OpenMM::System system;
    system.addParticle(1.0);
    auto* force = new OpenMMADA::ADAForce();
    system.addForce(force);
    OpenMM::LangevinMiddleIntegrator integrator(300, 1.0, 0.002);
    OpenMM::Context context(system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    ada::DataPreparation identity;
    identity.numSystemAtoms = 1;
    ada::AlignmentTarget x = ada::modelObservableTarget("x", {{"type", "coordinates"}, {"atoms", {0}}, {"components", "x"}}, identity, {1, 3},
                                                        at::zeros({10, 1}, at::kDouble), "test");
    OpenMMADA::SimulationAlignmentOptions options;
    options.framesPerRound = 1;
    EXPECT_THROW(OpenMMADA::SimulationAlignment(context, *force, {x}, options), OpenMM::OpenMMException);
    options.framesPerRound = 10;
    options.critics.beta = -1;
    EXPECT_THROW(OpenMMADA::SimulationAlignment(context, *force, {x}, options), OpenMM::OpenMMException);
}
