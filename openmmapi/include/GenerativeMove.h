#pragma once
// GenerativeMove: Monte Carlo moves proposed by a generative model (DESIGN.md §3.6). A Force with no energy
// that, like MonteCarloBarostat, acts at the start of a step (ForceImpl::updateContextState): every
// `frequency` steps it proposes a new configuration x' from a flow-matching model written by `ada pretrain`
// (or saveTrainedModel), and accepts it with the Metropolis–Hastings probability
//   min(1, π(x') Q(x' → x) / (π(x) Q(x → x'))),   π ∝ exp(−U/kT),
// U the potential energy of the whole System (every force group) and Q the model's proposal density, computed
// exactly at both states. The moves leave π invariant, so MD + moves samples the System's own ensemble; the
// model only decides how often moves are accepted. Two kinds of proposals:
//
// - Cartesian (the default): the model is a density on the positions of a set of atoms (`atoms`), which get new
//   positions x' from it; the other atoms stay where they are (ada/flow/FlowProposal.h gives the construction
//   and why it is exact). On acceptance the moved atoms' velocities are drawn afresh from Maxwell–Boltzmann.
//   The moved atoms must not take part in constraints: a density on R^{3M} cannot respect them.
// - Torsions (addTorsion): the model is a density on K dihedral angles (an `ada pretrain` model of [frames, K]
//   angles), and a move sets the K torsions to values drawn from it by rotating, for each torsion a–b–c–d, a
//   rigid group of atoms (those on d's side of the b–c bond) about the b–c bond (ada/flow/TorsionProposal.h:
//   the construction and why it is exact). Bond lengths and angles are kept, so proposals stay close to the
//   Boltzmann distribution where a Cartesian flow would strain stiff bonds. Constraints are allowed when the
//   rotations keep them (see addTorsion). On acceptance every particle's velocity is drawn afresh from
//   Maxwell–Boltzmann and then projected onto the constraints: with constraints the velocity distribution
//   given the positions is a Gaussian on the tangent space of the constraint surface, which moves with the
//   rotated atoms, so redrawing only the moved atoms and projecting would not give it.
//
// Moved atoms must not be virtual sites or massless. It needs no kernel, so it works on every platform;
// positions go to the host and back only on a move step. The model file is read when the force is created
// and embedded in it (and in its XML), so the force is self-contained. Settings are read when a Context is
// created.
//
// This class is in libOpenMMADALearn (it needs LibTorch); from Python it is openmmada.GenerativeMove.
#include <cmath>
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
     * `frequency` steps (> 0) at `temperature` (K, > 0). For torsion moves give no atoms and a model of K
     * angles, then add the K torsions with addTorsion. Throws OpenMMException if the file is not a model, if
     * the number of atoms does not match the model's dimension, for a negative or repeated atom index, or for a
     * frequency or temperature out of range. Atoms beyond the System, and a model that does not match the
     * torsions, are reported when a Context is created.
     */
    GenerativeMove(const std::string& modelFile, const std::vector<int>& atoms, int frequency, double temperature = 300.0);

    /** Replace the model by the one in `modelFile` (read and embedded now). */
    void setModelFile(const std::string& modelFile);
    /** The embedded model: the bytes of the model file. */
    const std::string& getModelBytes() const { return modelBytes_; }
    /** Replace the model by the bytes of a model file (as getModelBytes returns them). */
    void setModelBytes(const std::string& bytes);
    /** The number of particles the model describes (its dimension / 3; 0 if the dimension is not a multiple of 3). */
    int getNumModelParticles() const { return modelDimension_ % 3 == 0 ? modelDimension_ / 3 : 0; }
    /** The number of values one sample of the model has: 3 per particle, or 1 per torsion. */
    int getModelDimension() const { return modelDimension_; }

    /** The moved particle indices of Cartesian moves (empty: the model's atoms, or all particles). */
    const std::vector<int>& getAtoms() const { return atoms_; }
    void setAtoms(const std::vector<int>& atoms);

    /**
     * Add a torsion p1–p2–p3–p4 (a–b–c–d) moved by rotating `rotatedAtoms` about the p2–p3 bond; returns its
     * index. Torsion k is value k of the model's samples, so add them in the order of the training data's
     * columns. The move is then a torsion move: the model must be a density on as many numbers as there are
     * torsions (checked when a Context is created), and no atoms may be given.
     * @param rotatedAtoms  the atoms on p4's side of the p2–p3 bond: p4 and everything bonded beyond it, without
     *                      p1, p2, p3. Rotating them must change this torsion only (checked on every move: the
     *                      realised angles must equal the proposed ones), and constraints must keep their lengths:
     *                      each constraint has both atoms rotated, neither, or its unrotated atom p2 or p3, and
     *                      p2 and p3 are not constrained to both rotated and unrotated atoms (other than each
     *                      other). Checked when a Context is created.
     * @param windowStart   w (radians; from Python also an openmm.unit angle): the angle is represented in
     *                      [w, w + 2π), as in the training data; model samples outside the windows are discarded.
     *                      Put it where the angle is (almost) never found, e.g. with
     *                      openmmada.moves.window_starts.
     * Throws OpenMMException for negative or repeated indices, rotated atoms without p4 or with p1, p2 or p3, or
     * a window start that is not finite.
     */
    int addTorsion(int p1, int p2, int p3, int p4, const std::vector<int>& rotatedAtoms, double windowStart = -M_PI);
    /** The number of torsions (0: Cartesian moves). */
    int getNumTorsions() const { return static_cast<int>(torsions_.size()); }
    /** The atoms, rotated atoms and window start (radians) of torsion `index`. */
    void getTorsionParameters(int index, int& p1, int& p2, int& p3, int& p4, std::vector<int>& rotated, double& windowStart) const;
    /** Replace torsion `index` (see addTorsion). */
    void setTorsionParameters(int index, int p1, int p2, int p3, int p4, const std::vector<int>& rotatedAtoms, double windowStart);
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
    struct Torsion {
        int p1, p2, p3, p4;
        std::vector<int> rotatedAtoms;
        double windowStart;
    };

    std::string modelBytes_;
    int modelDimension_ = 0;
    std::vector<int> modelAtoms_;
    std::vector<int> atoms_;
    std::vector<Torsion> torsions_;
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
    /** The moved atoms of Cartesian moves for a System of `numParticles` particles; throws OpenMMException naming a mismatch. */
    std::vector<int> resolveAtoms(int numParticles) const;
    /** Throws OpenMMException unless `count` moved atoms match the model's dimension; `what` describes them. */
    void checkAtomCount(size_t count, const std::string& what) const;
    /** Throws OpenMMException naming torsion `index` for bad parameters; numParticles < 0: the System is not known yet. */
    static void checkTorsion(const Torsion& torsion, int index, int numParticles);
    void checkTorsionIndex(int index) const;
};

}  // namespace OpenMMADA
