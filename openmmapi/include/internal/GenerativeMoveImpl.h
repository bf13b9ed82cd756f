#pragma once
// The lifecycle of a GenerativeMove in a Context: checks the moved atoms against the System and builds the
// proposal (ada::FlowProposal, its own copy of the model) when the Context is created; at the start of every
// step that is a multiple of the frequency, makes K (attempts per move) Metropolis–Hastings attempts of
// DESIGN.md §3.6, each:
//   x ← positions of the moved atoms, U0 = U(x)
//   x' ~ Q(x → ·), with log Q(x → x') and log Q(x' → x)
//   U1 = U(x')  (positions set in the Context)
//   ln α = −(U1 − U0)/kT + log Q(x' → x) − log Q(x → x')
//   accept if ln u < ln α (u ~ U(0, 1)): redraw the moved atoms' velocities v_i ~ N(0, kT/m_i);
//   otherwise restore x.
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
class FlowProposal;
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

    const GenerativeMove& owner_;
    std::vector<int> atoms_;
    int frequency_ = 1;
    int attemptsPerMove_ = 1;
    double kT_ = 0;
    std::unique_ptr<ada::FlowProposal> proposal_;
    std::mt19937_64 random_;
    long long lastMoveStep_ = -1;
    long long numAttempted_ = 0, numAccepted_ = 0;
    std::vector<OpenMM::Vec3> positions_, initialPositions_, velocities_;
    std::vector<double> current_;
};

}  // namespace OpenMMADA
