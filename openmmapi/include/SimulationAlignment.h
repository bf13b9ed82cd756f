#pragma once
// "Align the simulation itself" (DESIGN.md §3.3): the ADA loop with biased MD as the sampler instead of a
// generator, for users without a generative model. MD of a System whose Boltzmann distribution is μ_base,
// biased by an ADAForce with U_bias = kT · β F_bias, samples q ∝ μ_base exp(−β F_bias) exactly. Each round
//   1. runs MD under the current bias and records framesPerRound frames x_b;
//   2. updates the critics on the concave dual of the saddle (ada/align/ObservableCritics.h) with the frames
//      as the pool and log-offsets a_b = β F_bias(x_b): the self-normalised weights exp(a_b − β F(x_b)) turn
//      samples of q into samples of the tilt μ_base exp(−β F) of the current critics;
//   3. exports the critics as the new bias specification and swaps it into the running Context
//      (ADAForce::setBiasFromJSON + updateParametersInContext).
// The critics and their export are the generator loop's (one implementation); only the sampler differs.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ADAForce.h"
#include "ada/align/AlignmentTarget.h"
#include "ada/align/ObservableSpecification.h"
#include "ada/align/ObservableCritics.h"

namespace OpenMM {
class Context;
}

namespace OpenMMADA {

struct SimulationAlignmentOptions {
    /** Temperature (K) written into the bias specification: kT of U_bias = kT β F. */
    double temperature = 300.0;
    int framesPerRound = 1000;
    int stepsPerFrame = 50;
    /** MD steps after each bias change before frames are recorded. */
    int equilibrationSteps = 1000;
    /** Critic updates in the first round (later rounds make critics.steps). */
    int criticWarmup = 1000;
    /** The critics; critics.beta is the β of the tilt. */
    ada::ObservableCriticsOptions critics;
    /** Folder for MLP files of multi-dimensional critics. */
    std::string folder = ".";
};

class SimulationAlignment {
public:
    /**
     * context: a Context whose System contains `force` (its bias is replaced every round); targets: observables
     * of the System's positions (ada::modelObservableTarget with an identity preparation does this) and their
     * experimental samples. Throws OpenMMException naming the problem.
     */
    SimulationAlignment(OpenMM::Context& context, ADAForce& force, std::vector<ada::AlignmentTarget> targets,
                        const SimulationAlignmentOptions& options);
    /**
     * The observables of a specification file (ada/align/ObservableSpecification.h, the file `ada align` reads),
     * evaluated on the positions of all the System's particles; the bias temperature is the file's
     * "temperature" (options.temperature is not used). Errors in the file throw OpenMMException naming it.
     */
    SimulationAlignment(OpenMM::Context& context, ADAForce& force, const std::string& observablesFile,
                        const SimulationAlignmentOptions& options);
    ~SimulationAlignment();

    /** One round (steps 1-3); returns the critic gaps E_q f_i − E_ν f_i of this round's frames. */
    std::vector<double> round();
    int rounds() const { return rounds_; }
    /** The bias temperature (K). */
    double temperature() const { return options_.temperature; }
    /** The bias specification in force now. */
    const nlohmann::json& bias() const { return bias_; }
    ada::ObservableCritics& critics() { return *critics_; }

private:
    SimulationAlignment(OpenMM::Context& context, ADAForce& force, ada::ObservableSpecification specification,
                        const SimulationAlignmentOptions& options);

    OpenMM::Context& context_;
    ADAForce& force_;
    SimulationAlignmentOptions options_;
    std::unique_ptr<ada::ObservableCritics> critics_;
    nlohmann::json bias_;
    bool biased_ = false;
    int rounds_ = 0;
};

}  // namespace OpenMMADA
