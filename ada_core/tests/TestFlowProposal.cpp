// FlowProposal (DESIGN.md §3.6): the forward ODE sample and the backward likelihood agree to the tolerance;
// frames follow the molecule (densities invariant under a rigid motion of both states); zero-centre-of-mass
// models keep the centre and reuse the cached reverse density; a Metropolis–Hastings chain with a
// state-dependent (centred, aligned) frame reproduces a known anisotropic Gaussian; bad dimensions are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include <ATen/ATen.h>
#include <Eigen/Geometry>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/flow/FlowProposal.h"
#include "ada/flow/LogLikelihood.h"
#include "ada/flow/OdeSampler.h"
#include "ada/io/SpecError.h"
#include "ada/models/EGNNVectorField.h"
#include "ada/models/MLPVectorField.h"

namespace {

// An MLP field of dimension d with seeded random weights scaled by `gain`, and output bias `bias` (if given).
ada::TrainedModel mlpModel(int64_t d, double gain, uint64_t seed, std::vector<double> bias = {}) {
    torch::manual_seed(seed);
    auto field = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(d).hidden(16).layers(2));
    field->to(at::kDouble);
    torch::NoGradGuard noGrad;
    for (auto& p : field->named_parameters()) {
        p.value().mul_(gain);
        if (p.key() == "output.bias" && !bias.empty())
            p.value().copy_(at::tensor(bias, at::kDouble));
    }
    ada::TrainedModel model;
    model.field = field;
    return model;
}

std::vector<double> rigidMotion(const std::vector<double>& x, const Eigen::Matrix3d& r, const Eigen::Vector3d& t) {
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); i += 3) {
        const Eigen::Vector3d p = r * Eigen::Vector3d(x[i], x[i + 1], x[i + 2]) + t;
        for (int a = 0; a < 3; ++a)
            y[i + a] = p[a];
    }
    return y;
}

}  // namespace

TEST(FlowProposal, ForwardSampleAndBackwardLikelihoodAgree) {
    ada::TrainedModel model = mlpModel(6, 3.0, 5);
    model.field->to(at::kDouble);
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(3);
    const ada::OdeOptions ode = ada::OdeOptions::dormandPrince(1e-6, 1e-6);
    const ada::OdeSample sample = ada::sampleByOde(*model.field, 64, ode, g);
    ada::LikelihoodOptions options;
    options.ode = ode;
    const ada::LikelihoodResult back = ada::logLikelihood(*model.field, sample.samples, options);
    // The backward solve returns to the noise the forward solve started from, to about the tolerance.
    EXPECT_LT((back.noise - sample.noise).abs().max().item<double>(), 1e-4);
    EXPECT_GT(back.divergenceIntegral.abs().max().item<double>(), 1e-2);  // a field with a non-trivial density
}

TEST(FlowProposal, AlignedFramesFollowTheMolecule) {
    // 3 particles, centred and aligned on a reference: the proposal density is invariant under a rigid motion
    // applied to both states, and a proposal keeps the frame's centre only on average.
    ada::TrainedModel model = mlpModel(9, 2.0, 7);
    model.data.centred = true;
    model.data.aligned = true;
    model.data.reference = {-0.1, 0.0, 0.0, 0.1, 0.02, 0.0, 0.0, 0.12, 0.03};
    model.data.scale = 0.1;
    ada::FlowProposal proposal(model, 3, ada::FlowProposalOptions().batchSize(4).seed(1));
    EXPECT_FALSE(proposal.reverseDependsOnStateOnly());
    EXPECT_EQ(proposal.dimension(), 9);
    const std::vector<double> x = {1.0, 1.0, 1.0, 1.2, 1.05, 1.0, 1.1, 1.1, 1.05};
    const ada::ProposedMove move = proposal.propose(x);
    // The forward density came from a batched solve (one step size for the batch), this one from its own: they
    // agree to the ODE tolerance's effect on log-densities.
    EXPECT_NEAR(proposal.logDensity(move.positions, x), move.logForward, 1e-3);
    EXPECT_NEAR(proposal.logDensity(x, move.positions), move.logReverse, 1e-9);
    const Eigen::Matrix3d r = Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, 2, -1).normalized()).toRotationMatrix();
    const Eigen::Vector3d t(0.3, -2.0, 5.0);
    EXPECT_NEAR(proposal.logDensity(rigidMotion(move.positions, r, t), rigidMotion(x, r, t)),
                proposal.logDensity(move.positions, x), 1e-6);
    EXPECT_NEAR(proposal.logDensity(rigidMotion(x, r, t), rigidMotion(move.positions, r, t)), move.logReverse, 1e-6);
    EXPECT_EQ(proposal.reverseCacheHits(), 0);
}

TEST(FlowProposal, ZeroCentreOfMassModelsKeepTheCentreAndCacheTheReverse) {
    torch::manual_seed(11);
    auto field = std::make_shared<ada::EGNNVectorFieldImpl>(ada::EGNNVectorFieldOptions(4, 3).hidden(8).layers(2));
    ada::TrainedModel model;
    model.field = field;
    model.data.centred = true;
    model.data.scale = 0.2;
    ada::FlowProposal proposal(model, 4, ada::FlowProposalOptions().batchSize(3).seed(2));
    EXPECT_TRUE(proposal.reverseDependsOnStateOnly());
    EXPECT_EQ(proposal.dimension(), 9);
    const std::vector<double> x = {0.5, 0.0, 0.1, 0.7, 0.1, 0.0, 0.6, 0.3, 0.2, 0.4, 0.2, 0.3};
    for (int k = 0; k < 4; ++k) {
        const ada::ProposedMove move = proposal.propose(x);
        for (int a = 0; a < 3; ++a) {
            double before = 0, after = 0;
            for (int i = 0; i < 4; ++i) {
                before += x[3 * i + a] / 4;
                after += move.positions[3 * i + a] / 4;
            }
            EXPECT_NEAR(after, before, 1e-12);
        }
        // Q(x' → x) = g(x): the same for every candidate, and exactly the density of proposing x from x.
        EXPECT_NEAR(move.logReverse, proposal.logDensity(x, move.positions), 1e-9);
    }
    EXPECT_EQ(proposal.reverseSolves(), 1);
    EXPECT_EQ(proposal.reverseCacheHits(), 3);
    EXPECT_EQ(proposal.candidatesDrawn(), 6);
    // Another state: the cache is not used.
    std::vector<double> y = x;
    y[0] += 1e-9;
    proposal.propose(y);
    EXPECT_EQ(proposal.reverseSolves(), 2);
}

TEST(FlowProposal, MetropolisHastingsWithMovingFramesIsExact) {
    // Target: an anisotropic Gaussian over 2 particles in 3-D (6 coordinates, independent components with mean
    // mu and standard deviations sigma). Proposal: a centred, aligned model whose field is a constant b (so
    // y = y0 + b, an off-centre Gaussian that rotates with the frame), with Q(x → x') and Q(x' → x) taken in
    // the frames of x and x'. Only Metropolis–Hastings moves, no MD: the chain must reproduce the target.
    const std::vector<double> mu = {0.3, 0.0, 0.1, 0.0, 0.2, 0.0};
    const std::vector<double> sigma = {0.15, 0.1, 0.08, 0.12, 0.2, 0.1};
    ada::TrainedModel model = mlpModel(6, 0.0, 1, {-1.2, 0.8, -0.4, 1.2, -0.8, 0.4});
    model.data.centred = true;
    model.data.aligned = true;
    model.data.reference = {-0.15, 0.1, -0.05, 0.15, -0.1, 0.05};
    model.data.scale = 0.12;
    ada::FlowProposal proposal(model, 2, ada::FlowProposalOptions().batchSize(256).seed(4));
    auto logTarget = [&](const std::vector<double>& x) {
        double s = 0;
        for (int k = 0; k < 6; ++k)
            s -= 0.5 * std::pow((x[k] - mu[k]) / sigma[k], 2);
        return s;
    };
    std::mt19937_64 random(9);
    std::vector<double> x = mu;
    const int steps = 2400, blocks = 20;
    std::vector<std::vector<double>> blockMean(blocks, std::vector<double>(6, 0.0)), blockSquare = blockMean;
    int accepted = 0;
    for (int step = 0; step < steps; ++step) {
        const ada::ProposedMove move = proposal.propose(x);
        const double logAcceptance = logTarget(move.positions) - logTarget(x) + move.logReverse - move.logForward;
        if (std::log(std::generate_canonical<double, 53>(random)) < logAcceptance) {
            x = move.positions;
            ++accepted;
        }
        for (int k = 0; k < 6; ++k) {
            blockMean[step * blocks / steps][k] += x[k] / (steps / blocks);
            blockSquare[step * blocks / steps][k] += (x[k] - mu[k]) * (x[k] - mu[k]) / (steps / blocks);
        }
    }
    EXPECT_GT(accepted, steps / 10);
    // Block means absorb the chain's autocorrelation: with 20 blocks of 120 steps (far longer than the chain's
    // correlation time at this acceptance), the standard error of the mean is the spread of the block means
    // / sqrt(20). Fixed seed; a 4-standard-error margin.
    for (int k = 0; k < 6; ++k) {
        double m = 0, m2 = 0, v = 0, v2 = 0;
        for (int b = 0; b < blocks; ++b) {
            m += blockMean[b][k] / blocks;
            m2 += blockMean[b][k] * blockMean[b][k] / blocks;
            v += blockSquare[b][k] / blocks;
            v2 += blockSquare[b][k] * blockSquare[b][k] / blocks;
        }
        const double seMean = std::sqrt(std::max(m2 - m * m, 0.0) / (blocks - 1));
        const double seVariance = std::sqrt(std::max(v2 - v * v, 0.0) / (blocks - 1));
        EXPECT_NEAR(m, mu[k], 4 * seMean + 1e-3) << "component " << k;
        EXPECT_NEAR(v, sigma[k] * sigma[k], 4 * seVariance + 1e-4) << "component " << k;
    }
}

TEST(FlowProposal, RefusesAModelOfAnotherDimension) {
    ada::TrainedModel model = mlpModel(6, 1.0, 1);
    try {
        ada::FlowProposal proposal(model, 3);
        FAIL() << "no error";
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("the model is a density on 6 coordinates, but 3 atoms have 9 coordinates"), std::string::npos)
            << e.what();
    }
}
