#pragma once
// The lifecycle of a GenerativeMove in a Context: checks the moved atoms (and for torsion moves the torsions and
// the constraints) against the System and builds the proposal (ada::FlowProposal for Cartesian moves,
// ada::TorsionProposal for torsion moves, each with its own copy of the model) when the Context is created; at
// the start of every step that is a multiple of the frequency, makes K (attempts per move) Metropolis–Hastings
// attempts of DESIGN.md §3.6, each:
//   x ← positions the proposal sees (the moved atoms; all particles for torsion moves), U0 = U(x)
//   x' ~ Q(x → ·), with log Q(x → x') and log Q(x' → x)
//   U1 = U(x')  (positions set in the Context)
//   ln α = −(U1 − U0)/kT + log Q(x' → x) − log Q(x → x')
//   accept if ln u < ln α (u ~ U(0, 1)): redraw velocities v_i ~ N(0, kT/m_i) (of the moved atoms; of every
//   particle, then constrained, for torsion moves); otherwise restore x.
// No kernel and no energy of its own.
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "GenerativeMove.h"
#include "openmm/Vec3.h"
#include "openmm/internal/ForceImpl.h"

namespace ada {
class MoveProposal;
struct TrainedModel;
}  // namespace ada

namespace OpenMMADA {

class GenerativeMoveImpl : public OpenMM::ForceImpl {
public:
    explicit GenerativeMoveImpl(const GenerativeMove& owner);
    ~GenerativeMoveImpl() override;
    void initialize(OpenMM::ContextImpl& context) override;
    const GenerativeMove& getOwner() const override { return owner_; }
    void updateContextState(OpenMM::ContextImpl& context, bool& forcesInvalid) override;
    double calcForcesAndEnergy(OpenMM::ContextImpl&, bool, bool, int) override { return 0.0; }
    std::map<std::string, double> getDefaultParameters() override { return {}; }
    std::vector<std::string> getKernelNames() override { return {}; }
    long long getNumAttempted() const { return numAttempted_; }
    long long getNumAccepted() const { return numAccepted_; }

    /** A model from the bytes of a model file; errors (OpenMMException) name `where`. */
    static ada::TrainedModel loadModel(const std::string& bytes, const std::string& where);

private:
    /**
     * One Metropolis–Hastings attempt from positions_ (the Context's) of energy `initialEnergy` (kJ/mol);
     * `remainingAttempts` from this state if rejected, this one included. Returns the energy of the state after
     * the attempt; positions_ holds its positions.
     */
    double attempt(OpenMM::ContextImpl& context, double initialEnergy, int remainingAttempts);
    /** Checks the torsions against the System and returns the moved atoms (the union of the rotated sets). */
    std::vector<int> checkTorsions(const OpenMM::System& system) const;
    /** Velocities after an accepted move (Maxwell–Boltzmann at the move's temperature; see GenerativeMove.h). */
    void redrawVelocities(OpenMM::ContextImpl& context);

    const GenerativeMove& owner_;
    std::vector<int> atoms_;         // the particles whose positions the proposal sees and returns
    std::vector<int> movedAtoms_;    // the particles whose positions a move may change
    bool torsionMoves_ = false;
    int frequency_ = 1;
    int attemptsPerMove_ = 1;
    double kT_ = 0;
    std::unique_ptr<ada::MoveProposal> proposal_;
    std::mt19937_64 random_;
    long long lastMoveStep_ = -1;
    long long numAttempted_ = 0, numAccepted_ = 0;
    std::vector<OpenMM::Vec3> positions_, initialPositions_, velocities_;
    std::vector<double> current_;
};

}  // namespace OpenMMADA
