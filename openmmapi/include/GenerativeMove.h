#pragma once
// GenerativeMove: Monte Carlo moves proposed by a generative model (DESIGN.md §3.6). A Force with no energy
// that, like MonteCarloBarostat, acts at the start of a step (ForceImpl::updateContextState): every
// `frequency` steps it proposes new positions x' for a set of atoms from a flow-matching model written by
// `ada pretrain` (or saveTrainedModel), and accepts them with the Metropolis–Hastings probability
//   min(1, π(x') Q(x' → x) / (π(x) Q(x → x'))),   π ∝ exp(−U/kT),
// U the potential energy of the whole System (every force group) and Q the model's proposal density, computed
// exactly at both states (ada/flow/FlowProposal.h gives the construction and why it is exact). The other atoms
// stay where they are. On acceptance the velocities of the moved atoms are drawn afresh from the
// Maxwell–Boltzmann distribution at the move's temperature. The moves leave π invariant, so MD + moves
// samples the System's own ensemble; the model only decides how often moves are accepted.
//
// The moved atoms must not take part in constraints and must not be virtual sites or massless: a proposal
// from a density on R^{3M} cannot respect them. It needs no kernel, so it works on every platform; positions
// go to the host and back only on a move step. The model file is read when the force is created and embedded
// in it (and in its XML), so the force is self-contained. Settings are read when a Context is created.
//
// This class is in libOpenMMADALearn (it needs LibTorch); from Python it is openmmada.GenerativeMove.
#include <string>
#include <vector>

#include "openmm/Context.h"
#include "openmm/Force.h"

namespace OpenMMADA {

class GenerativeMove : public OpenMM::Force {
public:
    /**
     * Moves of `atoms` (particle indices; empty: the atoms the model was trained on, as stored in the model
     * file, or all particles if it stores none) proposed from the model in `modelFile`, attempted every
     * `frequency` steps (> 0) at `temperature` (K, > 0). Throws OpenMMException if the file is not a model,
     * if the number of atoms does not match the model's dimension, for a negative or repeated atom index,
     * or for a frequency or temperature out of range. Atoms beyond the System are reported when a Context is
     * created.
     */
    GenerativeMove(const std::string& modelFile, const std::vector<int>& atoms, int frequency, double temperature = 300.0);

    /** Replace the model by the one in `modelFile` (read and embedded now). */
    void setModelFile(const std::string& modelFile);
    /** The embedded model: the bytes of the model file. */
    const std::string& getModelBytes() const { return modelBytes_; }
    /** Replace the model by the bytes of a model file (as getModelBytes returns them). */
    void setModelBytes(const std::string& bytes);
    /** The number of particles the model describes (its dimension / 3). */
    int getNumModelParticles() const { return numModelParticles_; }

    /** The moved particle indices (empty: the model's atoms, or all particles). */
    const std::vector<int>& getAtoms() const { return atoms_; }
    void setAtoms(const std::vector<int>& atoms);
    /** The number of steps between move attempts. */
    int getFrequency() const { return frequency_; }
    void setFrequency(int frequency);
    /** The temperature of π and of the redrawn velocities (K). */
    double getTemperature() const { return temperature_; }
    void setTemperature(double temperature);
    /**
     * Metropolis–Hastings attempts per move step (>= 1, default 1), made one after the other (all of them, also
     * after an acceptance). Attempts from an unchanged state share the reverse densities' batched solve.
     */
    int getAttemptsPerMove() const { return attemptsPerMove_; }
    void setAttemptsPerMove(int attempts);
    /** Candidates drawn from the model per batch (>= 1, default 16): one ODE solve and likelihood per batch. */
    int getBatchSize() const { return batchSize_; }
    void setBatchSize(int batchSize);
    /** Relative and absolute tolerance of the model's ODE solves (default 1e-6): exactness holds to this level. */
    double getTolerance() const { return tolerance_; }
    void setTolerance(double tolerance);
    /** The seed of the proposals, acceptance tests and velocities (0, the default: a different seed each Context). */
    int getRandomNumberSeed() const { return randomNumberSeed_; }
    void setRandomNumberSeed(int seed) { randomNumberSeed_ = seed; }

    /** Metropolis–Hastings attempts made in a Context since it was created (or reinitialized). */
    long long getNumAttempted(const OpenMM::Context& context) const;
    /** Attempts accepted in a Context since it was created (or reinitialized). */
    long long getNumAccepted(const OpenMM::Context& context) const;
    bool usesPeriodicBoundaryConditions() const override { return false; }

protected:
    OpenMM::ForceImpl* createImpl() const override;

private:
    std::string modelBytes_;
    int numModelParticles_ = 0;
    std::vector<int> modelAtoms_;
    std::vector<int> atoms_;
    int frequency_ = 1;
    double temperature_ = 300.0;
    int attemptsPerMove_ = 1;
    int batchSize_ = 16;
    double tolerance_ = 1e-6;
    int randomNumberSeed_ = 0;

    friend class GenerativeMoveImpl;
    friend class GenerativeMoveProxy;
    /** No model yet: for the XML proxy, which sets the model bytes first. */
    GenerativeMove() { setName("GenerativeMove"); }
    void adoptModel(const std::string& bytes, const std::string& where);
    /** The moved atoms for a System of `numParticles` particles; throws OpenMMException naming a mismatch. */
    std::vector<int> resolveAtoms(int numParticles) const;
};

}  // namespace OpenMMADA
