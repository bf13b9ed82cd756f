#pragma once
// Proposals for generator-driven Monte Carlo (DESIGN.md §3.6) from a flow-matching model (§3.1), with the
// exact log-densities the Metropolis–Hastings ratio needs.
//
// The model is a density p_y on its own space: y ∈ R^d (d = D), or the zero-centre-of-mass subspace of
// (N−1)·3 dimensions for particle fields (GaussianBase.h). A model written by `ada pretrain` says how its
// data were prepared (TrainedModel.h): centred (unweighted mean of the modelled atoms removed), aligned
// (rotated onto a reference), and divided by one scale s. A proposal puts a model sample into the frame of the
// current configuration x of the M moved atoms:
//   x' = F_x(s·y),   y ~ p_y,   F_x(u)_i = t(x) + R(x)·u_i,
// with a rigid motion F_x read off x:
//   not centred             t = 0,                 R = I
//   centred                 t = c(x) (mean of x),  R = I
//   centred and aligned     R = the Kabsch rotation taking the centred reference onto the centred x,
//                           t = c(x) − R·c_ref
// For fixed x the map y ↦ x' is affine with Jacobian determinant s^d (det R = 1), so the proposal density is
//   log Q(x → x') = log p_y( F_x⁻¹(x') / s ) − d·ln s,
// and the reverse move, made from x' in x''s own frame, has
//   log Q(x' → x) = log p_y( F_{x'}⁻¹(x) / s ) − d·ln s.
// Metropolis–Hastings with acceptance min(1, π(x')Q(x' → x) / (π(x)Q(x → x'))) is then exact for any
// deterministic frame F (the frame only decides how well the proposal fits where the molecule is now). For
// the zero-centre-of-mass case the proposal keeps the centre of the moved atoms (c(x') = c(x) + s·mean(y) and
// mean(y) = 0), so the move acts on the subspace of fixed centre and p_y is a density there; MD moves the centre.
// For an aligned model the molecule is proposed in the orientation that best fits x; a model whose training
// frames were superposed on its reference fits best when the moved atoms are close to that reference.
//
// Draws and log-densities come from FlowDensity.h (exact trace, adaptive Dormand–Prince, float64): log p_y(y) =
// log p0(y0) − ∫_0^1 ∇·v dt, integrated backwards from y. Candidates are drawn in batches by the forward ODE
// and their densities computed in one batched likelihood solve, then used one per move.
// The density is that of the exact flow map; the sampler realises it to the ODE tolerance, which bounds the
// departure from exactness (forward and backward solves agree to about the tolerance: TestFlowProposal).
// Densities are with respect to the Lebesgue measure of the moved atoms' coordinates (of the subspace of
// fixed centre for zero-centre-of-mass models), in nm^−d.
//
// Reverse densities. Q(x' → x) depends on x' only through its frame. When the frame cannot change in a move
// (not centred; or centred, not aligned and a zero-centre-of-mass field, where p_y ignores translations), it
// is a function of x alone, g(x), computed once per state and kept while the state is unchanged (a
// rejection followed by another attempt). Otherwise it depends on the candidate too: the reverse densities of
// the next `lookahead` candidates from the current x are computed in one batched solve and used while x is
// unchanged. The key of both caches is the exact positions, so any change (an accepted move, MD steps,
// setPositions) recomputes them.
#include <cstdint>
#include <deque>
#include <vector>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <Eigen/Core>

#include "ada/flow/FlowDensity.h"
#include "ada/flow/MoveProposal.h"
#include "ada/models/TrainedModel.h"

namespace ada {

class FlowProposal : public MoveProposal {
public:
    /**
     * Proposals for `numAtoms` moved atoms from `model` (its field is copied to float64). Throws SpecError if
     * the model's dimension is not 3·numAtoms, or the model was aligned on a reference of another size.
     */
    FlowProposal(const TrainedModel& model, int64_t numAtoms, const FlowProposalOptions& options = {});

    /**
     * x' ~ Q(x → ·) for the current positions x (M x 3 values, nm), with log Q both ways. `lookahead`: how
     * many proposals are expected from this same x if this one is rejected (this one included), so that
     * candidate-dependent reverse densities are computed for that many in one batch.
     */
    ProposedMove propose(const std::vector<double>& current, int64_t lookahead = 1) override;
    int64_t numAtoms() const override { return numAtoms_; }
    /** log Q(from → to), the density of proposing `to` from `from` (nm^−d). */
    double logDensity(const std::vector<double>& to, const std::vector<double>& from);

    /** d, the dimension the model is a density on. */
    int64_t dimension() const { return density_.dimension(); }
    /** Whether Q(x' → x) depends on x alone, so that it is cached per state (see the header comment). */
    bool reverseDependsOnStateOnly() const { return reverseDependsOnStateOnly_; }
    /** Candidates drawn so far, likelihood solves for reverse densities, and proposals whose reverse density was
     *  already computed (cached per state, or batched). */
    int64_t candidatesDrawn() const { return candidatesDrawn_; }
    int64_t reverseSolves() const { return reverseSolves_; }
    int64_t reverseCacheHits() const { return reverseCacheHits_; }

private:
    struct Frame {
        Eigen::Vector3d translation = Eigen::Vector3d::Zero();
        Eigen::Matrix3d rotation = Eigen::Matrix3d::Identity();
    };
    struct Candidate {
        std::vector<double> y;     // model coordinates, flattened
        double logDensity;         // log p_y(y)
        double reverse;            // log Q(x' → x) for the state reverseState_ (when hasReverse)
        bool hasReverse;
    };

    Frame frameOf(const std::vector<double>& x) const;
    void drawCandidates();
    /** The positions F(s·y) of a candidate in a frame. */
    std::vector<double> place(const Candidate& candidate, const Frame& frame) const;
    /** Reverse densities from `current` of the next `count` candidates (drawing more if needed). */
    void computeReverse(const std::vector<double>& current, int64_t count);

    const DataPreparation& data() const { return density_.model().data; }

    FlowDensity density_;
    int64_t numAtoms_;
    FlowProposalOptions options_;
    Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor> reference_;  // centred reference (aligned models)
    Eigen::Vector3d referenceCentre_ = Eigen::Vector3d::Zero();
    bool reverseDependsOnStateOnly_;
    at::Generator generator_;
    std::deque<Candidate> candidates_;
    std::vector<double> reverseState_;
    double cachedReverse_ = 0;
    int64_t candidatesDrawn_ = 0, reverseSolves_ = 0, reverseCacheHits_ = 0;
};

}  // namespace ada
