#pragma once
// What the GenerativeMove suites share (TestGenerativeMove.cpp: Cartesian moves; TestTorsionMove.cpp: torsion
// moves): model files made in the test (a constant field, i.e. a Gaussian proposal; a flow trained for about a
// second), an analytic 1-D marginal tabulated with its CDF, the goodness-of-fit check of MD + moves against it,
// and the fixture parameterised over the platforms present.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "GenerativeMove.h"
#include "ada/flow/FlowMatchingTrainer.h"
#include "ada/models/MLPVectorField.h"
#include "ada/models/TrainedModel.h"
#include "openmm/Context.h"
#include "openmm/LangevinMiddleIntegrator.h"
#include "openmm/OpenMMException.h"
#include "openmm/Platform.h"
#include "openmm/State.h"
#include "openmm/System.h"
#include "openmm/serialization/XmlSerializer.h"

namespace generative_move_testing {

constexpr double kGas = 0.00831446261815324;
constexpr double kTemperature = 300.0;
const double kT = kGas * kTemperature;

inline std::string tmpPath(const std::string& name) { return std::string(ADA_TEST_TMPDIR) + "/generative_move_" + name; }

inline std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const OpenMM::OpenMMException& e) {
        return e.what();
    }
    return "no error";
}

// A model file of `dimension` values whose field is the constant `bias` (zero if empty): the proposal is exactly
// N(scale·bias, scale² I) in the model's frame.
inline std::string constantFieldModel(const std::string& name, int dimension, double scale, bool centred = false,
                                      const std::vector<double>& bias = {}) {
    auto field = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(dimension).hidden(8).layers(1));
    {
        torch::NoGradGuard noGrad;
        for (auto& p : field->named_parameters()) {
            if (p.key().rfind("output.", 0) == 0)
                p.value().zero_();
            if (p.key() == "output.bias" && !bias.empty())
                p.value().copy_(at::tensor(bias, at::kFloat));
        }
    }
    ada::DataPreparation data;
    data.centred = centred;
    data.scale = scale;
    data.numSystemAtoms = dimension / 3;
    data.particles = dimension % 3 == 0;
    const std::string path = tmpPath(name);
    ada::saveTrainedModel(*field, data, path);
    return path;
}

// A flow of vectors trained for about a second on `data` [n, D] (float64): a good, imperfect proposal.
inline std::string trainedFlow(const at::Tensor& data, const std::string& name) {
    torch::manual_seed(2);
    auto field = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(data.size(1)).hidden(48).layers(2).maxFrequency(10));
    field->to(at::kDouble);
    ada::FlowMatchingTrainerOptions options;
    options.steps(1500).batchSize(256).learningRate(3e-3).warmupSteps(50).emaDecay(0.99).seed(3).progressEvery(0);
    ada::FlowMatchingTrainer trainer(field, data, at::Tensor(), options);
    trainer.train();
    ada::DataPreparation prep;
    prep.particles = false;
    const std::string path = tmpPath(name);
    ada::saveTrainedModel(*trainer.emaModel(), prep, path);
    return path;
}

// p(u) ∝ exp(−energy(u)) on [lo, hi] (energy in kT), tabulated on a fine grid with its CDF.
struct TabulatedMarginal {
    std::vector<double> u, cdf;
    TabulatedMarginal(const std::function<double(double)>& energy, double lo, double hi) {
        const int n = 20001;
        std::vector<double> density(n);
        for (int i = 0; i < n; ++i) {
            u.push_back(lo + (hi - lo) * i / (n - 1));
            density[i] = std::exp(-energy(u[i]));
        }
        cdf.assign(n, 0.0);
        for (int i = 1; i < n; ++i)
            cdf[i] = cdf[i - 1] + 0.5 * (density[i] + density[i - 1]) * (u[i] - u[i - 1]);
        for (double& c : cdf)
            c /= cdf.back();
    }
    double probabilityBelow(double x) const {
        const auto it = std::lower_bound(u.begin(), u.end(), x);
        if (it == u.begin())
            return 0;
        if (it == u.end())
            return 1;
        const size_t i = static_cast<size_t>(it - u.begin());
        return cdf[i - 1] + (cdf[i] - cdf[i - 1]) * (x - u[i - 1]) / (u[i] - u[i - 1]);
    }
    double quantile(double p) const {
        const size_t i = static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), p) - cdf.begin());
        if (i == 0)
            return u.front();
        return u[i - 1] + (u[i] - u[i - 1]) * (p - cdf[i - 1]) / std::max(cdf[i] - cdf[i - 1], 1e-300);
    }
};

// Langevin MD (friction 5/ps, `timestep` ps) on the Reference platform from `positions`, with `move` (if not
// null: seeded, ODE tolerance 1e-5, added to the System) every `frequency` steps; `observe` of the positions
// after each of `chunks` chunks of `frequency` steps, and the move's counters.
struct MoveRun {
    std::vector<double> values;
    long long attempted = 0, accepted = 0;
};

inline MoveRun runWithMoves(OpenMM::System& system, OpenMMADA::GenerativeMove* move, double timestep, const std::vector<OpenMM::Vec3>& positions,
                            int chunks, int frequency, const std::function<double(const std::vector<OpenMM::Vec3>&)>& observe) {
    if (move) {
        move->setRandomNumberSeed(17);
        move->setTolerance(1e-5);
        system.addForce(move);
    }
    OpenMM::LangevinMiddleIntegrator integrator(kTemperature, 5.0, timestep);
    integrator.setRandomNumberSeed(19);
    OpenMM::Context context(system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    context.setPositions(positions);
    context.setVelocitiesToTemperature(kTemperature, 23);
    MoveRun run;
    for (int k = 0; k < chunks; ++k) {
        integrator.step(frequency);
        run.values.push_back(observe(context.getState(OpenMM::State::Positions).getPositions()));
    }
    if (move) {
        run.attempted = move->getNumAttempted(context);
        run.accepted = move->getNumAccepted(context);
    }
    return run;
}

// Bin probabilities of the samples against the analytic marginal. The samples are correlated (MD within a
// well, and jumps only on accepted moves), so the standard error of each bin's frequency comes from 20 block
// means of consecutive samples (each block far longer than the correlation time when moves are accepted at
// the rates seen in these tests), and each bin must agree within 4 standard errors (+0.01 for the quadrature
// and the Langevin discretisation). The seed is fixed, so the outcome is too; a correct sampler fails a
// 4-standard-error bound with probability ~1e-4 per bin.
inline void expectMatchesMarginal(const std::vector<double>& x, const TabulatedMarginal& marginal, const std::vector<double>& edges,
                                  const std::string& what) {
    const int blocks = 20;
    const size_t perBlock = x.size() / blocks;
    for (size_t bin = 0; bin + 1 < edges.size(); ++bin) {
        const double expected = marginal.probabilityBelow(edges[bin + 1]) - marginal.probabilityBelow(edges[bin]);
        double mean = 0, square = 0;
        for (int b = 0; b < blocks; ++b) {
            double inBlock = 0;
            for (size_t i = b * perBlock; i < (b + 1) * perBlock; ++i)
                inBlock += (x[i] >= edges[bin] && x[i] < edges[bin + 1]) ? 1.0 / perBlock : 0.0;
            mean += inBlock / blocks;
            square += inBlock * inBlock / blocks;
        }
        const double standardError = std::sqrt(std::max(square - mean * mean, 0.0) / (blocks - 1));
        EXPECT_NEAR(mean, expected, 4 * standardError + 0.01)
            << what << ": bin [" << edges[bin] << ", " << edges[bin + 1] << ") standard error " << standardError;
    }
}

// A GenerativeMove through XML: the copy (null if the XML did not give a GenerativeMove), after checking that
// serializing the copy gives the same XML.
inline std::unique_ptr<OpenMMADA::GenerativeMove> xmlRoundTrip(const OpenMMADA::GenerativeMove& move) {
    std::stringstream buffer;
    OpenMM::XmlSerializer::serialize<OpenMM::Force>(&move, "Force", buffer);
    const std::string xml = buffer.str();
    std::unique_ptr<OpenMM::Force> copy(OpenMM::XmlSerializer::deserialize<OpenMM::Force>(buffer));
    if (dynamic_cast<OpenMMADA::GenerativeMove*>(copy.get()) == nullptr)
        return nullptr;
    std::unique_ptr<OpenMMADA::GenerativeMove> restored(dynamic_cast<OpenMMADA::GenerativeMove*>(copy.release()));
    std::stringstream again;
    OpenMM::XmlSerializer::serialize<OpenMM::Force>(restored.get(), "Force", again);
    EXPECT_EQ(again.str(), xml);
    return restored;
}

// The exactness check of MD + moves over `chunks` chunks: MD alone (`md`, started where values are > 0, the
// minority) stays there (a fraction above `mdFraction`), so the check can tell a wrong distribution; with a
// trained flow (`good`) and a deliberately poor proposal (`poor`, described by `poorName`) every move step made
// its attempt, the flow is accepted more than twice as often as the poor proposal, which is still accepted,
// and both reproduce the marginal in the bins `edges`.
inline void expectExactSampling(const MoveRun& md, double mdFraction, const MoveRun& good, const MoveRun& poor, int chunks,
                                const TabulatedMarginal& marginal, const std::vector<double>& edges, const std::string& poorName) {
    double positiveFraction = 0;
    for (double v : md.values)
        positiveFraction += v > 0 ? 1.0 / md.values.size() : 0.0;
    EXPECT_GT(positiveFraction, mdFraction);
    EXPECT_EQ(good.attempted, chunks - 1);
    EXPECT_EQ(poor.attempted, chunks - 1);
    const double goodRate = static_cast<double>(good.accepted) / good.attempted, poorRate = static_cast<double>(poor.accepted) / poor.attempted;
    std::cout << "[ acceptance ] trained flow " << goodRate << ", " << poorName << " " << poorRate << "\n";
    EXPECT_GT(goodRate, 2 * poorRate);
    EXPECT_GT(poorRate, 0.01);
    expectMatchesMarginal(good.values, marginal, edges, "trained flow");
    expectMatchesMarginal(poor.values, marginal, edges, poorName);
}

// A test on every platform present: CUDA and (unless ADA_REQUIRE_OPENCL is set) OpenCL are skipped when missing.
class OnPlatform : public testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        try {
            platform_ = &OpenMM::Platform::getPlatformByName(GetParam());
        } catch (const OpenMM::OpenMMException&) {
            if (GetParam() == "CUDA")
                GTEST_SKIP() << "CUDA platform not available: this machine has no GPU or CUDA driver";
            if (GetParam() == "OpenCL" && std::getenv("ADA_REQUIRE_OPENCL") == nullptr)
                GTEST_SKIP() << "OpenCL platform not available (install pocl-opencl-icd)";
            FAIL() << GetParam() << " platform is not available";
        }
    }
    OpenMM::Platform* platform_ = nullptr;
};

inline std::string platformName(const testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace generative_move_testing
