#pragma once
// Torsion-space proposals for generator-driven Monte Carlo (DESIGN.md §3.6): a flow-matching model (§3.1) of K
// dihedral angles (an `ada pretrain` model of [T, K] data) proposes new values θ' of K torsions, and a move sets
// them by rotating rigid groups of atoms about the torsions' central bonds.
//
// Torsion k has atoms (a, b, c, d), angle θ_k(x) = the dihedral a–b–c–d in OpenMM's (IUPAC) convention
// (observables/Dihedral.h), a set S_k of rotated atoms (the atoms on d's side of the b–c bond), and a window
// [w_k, w_k + 2π) in which its angle is represented (θ_k(x) is wrapped into it). The model is a density p_y on
// R^K of y = θ / s, s the scale `ada pretrain` stored, so (FlowDensity.h)
//   log p_θ(θ) = log p_y(θ / s) − K·ln s.
//
// A move from x:
//   θ' ~ p_θ restricted to the box W = Π_k [w_k, w_k + 2π): candidates outside W are discarded, so the proposal
//      density is q(θ') = p_θ(θ') / Z with Z = ∫_W p_θ;
//   x' = x with, for k = 1..K in turn, the atoms of S_k rotated about the axis through b_k and c_k (as they are
//      after rotations 1..k−1) by Δ_k = θ'_k − θ_k(x): the rotation R(u, Δ) r = r cos Δ + (u × r) sin Δ +
//      u (u·r)(1 − cos Δ) of r = x_i − x_c about u = (x_c − x_b)/|x_c − x_b| (Rodrigues), which adds Δ to the
//      dihedral;
//   θ(x') = θ' is checked (to 1e-6 rad, modulo 2π); otherwise the rotated sets are inconsistent (a rotation
//      changes another of the torsions) and propose() throws SpecError;
//   log Q(x → x') = log p_θ(θ'),  log Q(x' → x) = log p_θ(θ(x)),  densities in rad^−K (Z cancels in the ratio).
//
// Why this is exact. Use internal coordinates rooted in the part of the molecule no rotation moves: bond lengths
// r, bond angles α, torsions (the K moved ones, θ, and the others, branches written as offsets from the main
// torsion of their bond, as usual), and the 6 rigid-body coordinates of the root. The Jacobian of Cartesian →
// internal coordinates is Π r² sin α times a function of the root's orientation: it does not depend on any
// torsion. A rigid rotation of S_k, everything on d's side of the b–c bond, about that bond keeps every bond
// length and bond angle and changes θ_k alone (that no moved torsion but θ_k changes is what the check
// verifies). A move therefore keeps z, all coordinates but θ, and sets θ to θ' drawn independently of x: an
// independence proposal on the torus orbit {x : z(x) = z} with unit Jacobian, density q(θ') with respect to
// dθ. With π(x) dx = π(θ, z) J(z) dθ dz, detailed balance holds for the acceptance probability
//   min(1, π(x') q(θ) / (π(x) q(θ'))) = min(1, π(x') Q(x' → x) / (π(x) Q(x → x'))).
// Constraints: MD samples π on the constraint surface with respect to its surface measure, whose density in
// these coordinates is J(z)·sqrt(det G), G_ij = Σ_atoms ∇g_i·∇g_j / m the Gram matrix of the constraint
// gradients. Its entries are angles between constraints that share an atom, kept by the rotations when every
// constraint has both atoms rotated, neither, or its unrotated atom on the axis (its length is then kept
// too), and no axis atom has constrained partners both rotated and unrotated (other than the other axis atom).
// The same acceptance is then exact; GenerativeMove checks these conditions.
//
// The reverse density depends on x alone: log p_θ(θ(x)) is computed once per state and kept while the positions
// are unchanged (the key is the exact positions). When the state is the last proposal x' (it was accepted), its
// reverse density is that proposal's forward density log p_θ(θ'), already known: θ(x') = θ' (checked, to
// rounding), so no solve is needed. Candidates are drawn in batches with their densities (one forward and one
// likelihood solve per batch), as in FlowProposal.h; the sampler realises the flow map to the ODE tolerance,
// which bounds the departure from exactness.
#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>

#include "ada/flow/FlowDensity.h"
#include "ada/flow/MoveProposal.h"
#include "ada/models/TrainedModel.h"

namespace ada {

/** A torsion moved by rigid rotation: its atoms (a, b, c, d), the atoms rotated with d, and its window start. */
struct MovedTorsion {
    std::array<int, 4> atoms{};
    std::vector<int> rotated;       // the atoms on d's side of the b–c bond (d included; a, b, c not)
    double windowStart = -M_PI;     // w: angles are represented in [w, w + 2π) (rad)
};

/**
 * Throws SpecError, with a message that names torsion `index` and starts with `who`, unless the four atoms are
 * distinct and non-negative, the rotated atoms non-empty, unique, with d and without a, b or c, and the window
 * start finite; with numAtoms >= 0, also unless every index is below numAtoms.
 */
void checkMovedTorsion(const MovedTorsion& torsion, int index, int64_t numAtoms, const std::string& who);

/** angle wrapped into [windowStart, windowStart + 2π) (rad). */
double wrapIntoWindow(double angle, double windowStart);

class TorsionProposal : public MoveProposal {
public:
    /**
     * Proposals of the K = torsions.size() torsions of `numAtoms` atoms from `model` (its field is moved to
     * float64). Throws SpecError if the model is not a density on K numbers (e.g. it was trained on particle
     * positions, centred or aligned), or a torsion fails checkMovedTorsion.
     */
    TorsionProposal(const TrainedModel& model, std::vector<MovedTorsion> torsions, int64_t numAtoms,
                    const FlowProposalOptions& options = {});

    /**
     * x' for the current positions x (numAtoms x 3 values, nm) with its torsions set to θ' ~ q, log Q both ways
     * (rad^−K). `lookahead` is not needed: the reverse density depends on x alone. Throws SpecError if the
     * rotations do not realise θ' (inconsistent rotated sets).
     */
    ProposedMove propose(const std::vector<double>& current, int64_t lookahead = 1) override;
    int64_t numAtoms() const override { return numAtoms_; }

    /** θ(x), each angle wrapped into its window (rad). */
    std::vector<double> angles(const std::vector<double>& x) const;
    /** log p_θ(θ) (rad^−K), the model's density without the window's normalisation. */
    double logDensity(const std::vector<double>& theta);
    /** x with its torsions rotated to θ (rad); throws SpecError if the realised angles differ from θ by > 1e-6. */
    std::vector<double> rotateTo(const std::vector<double>& x, const std::vector<double>& theta) const;

    const std::vector<MovedTorsion>& torsions() const { return torsions_; }
    /** Candidates drawn, those discarded outside the windows, reverse-density solves, and reverse densities known
     *  without a solve (the state's cached one, or the last proposal's forward density). */
    int64_t candidatesDrawn() const { return candidatesDrawn_; }
    int64_t candidatesOutsideWindows() const { return candidatesOutsideWindows_; }
    int64_t reverseSolves() const { return reverseSolves_; }
    int64_t reverseCacheHits() const { return reverseCacheHits_; }

private:
    /** A candidate θ' inside the windows with log p_θ(θ'), drawing batches as needed. */
    FlowDensity::Draw nextCandidate();

    FlowDensity density_;
    std::vector<MovedTorsion> torsions_;
    int64_t numAtoms_;
    FlowProposalOptions options_;
    at::Generator generator_;
    std::deque<FlowDensity::Draw> candidates_;
    std::vector<double> reverseState_, lastProposal_;
    double cachedReverse_ = 0, lastForward_ = 0;
    int64_t candidatesDrawn_ = 0, candidatesOutsideWindows_ = 0, reverseSolves_ = 0, reverseCacheHits_ = 0;
};

}  // namespace ada
