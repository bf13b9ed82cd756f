// TorsionProposal (ada/flow/TorsionProposal.h): rotations of nested groups realise the proposed angles and keep
// every bond length and bond angle; the log-densities are those of the model with its scale (checked against
// the analytic density of a zero field); candidates outside the windows are discarded; the reverse density is
// cached per state, and taken from the forward density after an acceptance; inconsistent rotated sets and models
// of another kind or dimension are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/flow/TorsionProposal.h"
#include "ada/io/SpecError.h"
#include "ada/models/MLPVectorField.h"
#include "ada/observables/Dihedral.h"

#include "SpecErrorMessage.h"

namespace {

// A model of `dimension` angles whose field is zero: p_θ = N(0, scale² I).
ada::TrainedModel zeroFieldModel(int64_t dimension, double scale) {
    auto field = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(dimension).hidden(8).layers(1));
    torch::NoGradGuard noGrad;
    for (auto& p : field->named_parameters())
        if (p.key().rfind("output.", 0) == 0)
            p.value().zero_();
    ada::TrainedModel model;
    model.field = field;
    model.data.particles = false;
    model.data.scale = scale;
    return model;
}

// A zigzag chain 0–1–2–3–4–5 (not planar) and its three backbone torsions, each rotating everything beyond it.
const std::vector<double> kChain = {0.0,  0.0,  0.0, 0.15, 0.0,  0.0, 0.2,  0.14, 0.01, 0.35, 0.15, 0.06,
                                    0.41, 0.28, 0.0, 0.56, 0.3,  0.08};

std::vector<ada::MovedTorsion> chainTorsions() {
    std::vector<ada::MovedTorsion> torsions(3);
    torsions[0].atoms = {0, 1, 2, 3};
    torsions[0].rotated = {3, 4, 5};
    torsions[1].atoms = {1, 2, 3, 4};
    torsions[1].rotated = {4, 5};
    torsions[1].windowStart = 0.0;
    torsions[2].atoms = {2, 3, 4, 5};
    torsions[2].rotated = {5};
    torsions[2].windowStart = -1.0;
    return torsions;
}

double distance(const std::vector<double>& x, int i, int j) {
    double s = 0;
    for (int a = 0; a < 3; ++a)
        s += std::pow(x[3 * i + a] - x[3 * j + a], 2);
    return std::sqrt(s);
}

double bondAngle(const std::vector<double>& x, int i, int j, int k) {
    double dot = 0;
    for (int a = 0; a < 3; ++a)
        dot += (x[3 * i + a] - x[3 * j + a]) * (x[3 * k + a] - x[3 * j + a]);
    return std::acos(dot / (distance(x, i, j) * distance(x, k, j)));
}

}  // namespace

TEST(TorsionProposal, RotationsRealiseTheAnglesAndKeepBondsAndAngles) {
    ada::TorsionProposal proposal(zeroFieldModel(3, 2.0), chainTorsions(), 6, ada::FlowProposalOptions().batchSize(8).seed(1));
    const std::vector<double> target = {2.5, 0.3, 3.0};
    const std::vector<double> moved = proposal.rotateTo(kChain, target);
    const std::vector<double> realised = proposal.angles(moved);
    for (int k = 0; k < 3; ++k)
        EXPECT_NEAR(realised[k], target[k], 1e-9) << "torsion " << k;
    for (int i = 0; i + 1 < 6; ++i)
        EXPECT_NEAR(distance(moved, i, i + 1), distance(kChain, i, i + 1), 1e-12);
    for (int i = 0; i + 2 < 6; ++i)
        EXPECT_NEAR(bondAngle(moved, i, i + 1, i + 2), bondAngle(kChain, i, i + 1, i + 2), 1e-12);
    // Atoms 0, 1, 2 are on no rotated side.
    for (int v = 0; v < 9; ++v)
        EXPECT_EQ(moved[v], kChain[v]);
    for (int step = 0; step < 5; ++step) {
        const ada::ProposedMove move = proposal.propose(kChain);
        const std::vector<double> angles = proposal.angles(move.positions);
        for (size_t k = 0; k < angles.size(); ++k) {
            EXPECT_GE(angles[k], chainTorsions()[k].windowStart);
            EXPECT_LT(angles[k], chainTorsions()[k].windowStart + 2 * M_PI);
        }
    }
}

TEST(TorsionProposal, LogDensitiesHonourTheScaleAndTheReverseIsCachedPerState) {
    // Zero field: p_y = N(0, I), θ = s·y, so log p_θ(θ) = −|θ|²/(2s²) − K/2 ln 2π − K ln s.
    const double s = 0.7;
    std::vector<ada::MovedTorsion> torsions = chainTorsions();
    torsions.pop_back();
    torsions[0].windowStart = -M_PI;
    torsions[1].windowStart = -M_PI;
    ada::TorsionProposal proposal(zeroFieldModel(2, s), torsions, 6, ada::FlowProposalOptions().batchSize(4).seed(2));
    auto analytic = [&](const std::vector<double>& theta) {
        return -(theta[0] * theta[0] + theta[1] * theta[1]) / (2 * s * s) - std::log(2 * M_PI) - 2 * std::log(s);
    };
    for (int step = 0; step < 6; ++step) {
        const ada::ProposedMove move = proposal.propose(kChain, 3);
        EXPECT_NEAR(move.logForward, analytic(proposal.angles(move.positions)), 1e-5);
        EXPECT_NEAR(move.logReverse, analytic(proposal.angles(kChain)), 1e-5);
    }
    EXPECT_EQ(proposal.reverseSolves(), 1);
    EXPECT_EQ(proposal.reverseCacheHits(), 5);
    std::vector<double> other = kChain;
    other[17] += 1e-9;
    const ada::ProposedMove last = proposal.propose(other);
    EXPECT_EQ(proposal.reverseSolves(), 2);
    // From the last proposal (as after an acceptance) the reverse density is its forward density, without a solve.
    const ada::ProposedMove next = proposal.propose(last.positions);
    EXPECT_EQ(next.logReverse, last.logForward);
    EXPECT_NEAR(next.logReverse, analytic(proposal.angles(last.positions)), 1e-5);
    EXPECT_EQ(proposal.reverseSolves(), 2);
}

TEST(TorsionProposal, CandidatesOutsideTheWindowsAreDiscarded) {
    // N(0, 3²) on each angle: most candidates fall outside [w, w + 2π).
    ada::TorsionProposal proposal(zeroFieldModel(3, 3.0), chainTorsions(), 6, ada::FlowProposalOptions().batchSize(16).seed(3));
    for (int step = 0; step < 20; ++step) {
        const std::vector<double> angles = proposal.angles(proposal.propose(kChain).positions);
        for (size_t k = 0; k < angles.size(); ++k) {
            EXPECT_GE(angles[k], chainTorsions()[k].windowStart - 1e-9);
            EXPECT_LT(angles[k], chainTorsions()[k].windowStart + 2 * M_PI + 1e-9);
        }
    }
    EXPECT_GT(proposal.candidatesOutsideWindows(), 20);
    EXPECT_GE(proposal.candidatesDrawn() - proposal.candidatesOutsideWindows(), 20);
}

TEST(TorsionProposal, WrapsAnglesIntoTheirWindows) {
    EXPECT_NEAR(ada::wrapIntoWindow(-3.0, 0.0), 2 * M_PI - 3.0, 1e-15);
    EXPECT_NEAR(ada::wrapIntoWindow(3.0, -M_PI), 3.0, 1e-15);
    EXPECT_NEAR(ada::wrapIntoWindow(7.0, -1.0), 7.0 - 2 * M_PI, 1e-15);
    EXPECT_EQ(ada::wrapIntoWindow(-M_PI, -M_PI), -M_PI);
    EXPECT_EQ(ada::wrapIntoWindow(M_PI, -M_PI), -M_PI);
}

TEST(TorsionProposal, RefusesInconsistentSetsAndOtherModels) {
    // Rotating atom 3 alone for 0–1–2–3 changes 1–2–3–4 (atom 4 stays behind).
    std::vector<ada::MovedTorsion> torsions = chainTorsions();
    torsions.pop_back();
    torsions[0].rotated = {3};
    ada::TorsionProposal proposal(zeroFieldModel(2, 1.0), torsions, 6);
    EXPECT_NE(errorOf([&] { proposal.rotateTo(kChain, {1.0, 2.0}); }).find("the rotated sets are inconsistent"), std::string::npos);

    EXPECT_NE(errorOf([&] { ada::TorsionProposal(zeroFieldModel(2, 1.0), chainTorsions(), 6); })
                  .find("torsion proposal: the model is a density on 2 numbers, but 3 torsions are moved"),
              std::string::npos);
    ada::TrainedModel aligned = zeroFieldModel(3, 1.0);
    aligned.data.particles = true;
    aligned.data.centred = aligned.data.aligned = true;
    EXPECT_NE(errorOf([&] { ada::TorsionProposal(aligned, chainTorsions(), 6); }).find("not on torsion angles"), std::string::npos);
    EXPECT_NE(errorOf([&] { ada::TorsionProposal(zeroFieldModel(3, 1.0), chainTorsions(), 5); })
                  .find("torsion proposal: torsion 0 (atoms 0-1-2-3): rotated atom 5 is out of range: there are 5 particles"),
              std::string::npos);
}
