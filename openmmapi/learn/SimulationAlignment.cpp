#include "SimulationAlignment.h"

#include <ATen/ATen.h>

#include "ada/align/ObservableSpecification.h"
#include "ada/io/SpecError.h"
#include "openmm/Context.h"
#include "openmm/Integrator.h"
#include "openmm/OpenMMException.h"
#include "openmm/State.h"

namespace OpenMMADA {

SimulationAlignment::SimulationAlignment(OpenMM::Context& context, ADAForce& force, std::vector<ada::AlignmentTarget> targets,
                                         const SimulationAlignmentOptions& options)
    : context_(context), force_(force), options_(options) {
    if (options.framesPerRound < 2 || options.stepsPerFrame < 1 || options.equilibrationSteps < 0 || options.criticWarmup < 0 ||
        !(options.temperature > 0))
        throw OpenMM::OpenMMException("SimulationAlignment: expected frames per round >= 2, steps per frame >= 1, equilibration and "
                                      "critic warm-up >= 0, temperature > 0");
    try {
        critics_ = std::make_unique<ada::ObservableCritics>(std::move(targets), options.critics);
    } catch (const ada::SpecError& e) {
        throw OpenMM::OpenMMException(std::string("SimulationAlignment: ") + e.what());
    }
    bias_ = {{"temperature", options.temperature}, {"terms", nlohmann::json::array()}};
}

namespace {

ada::ObservableSpecification systemObservables(const OpenMM::Context& context, const std::string& file) {
    ada::DataPreparation positions;  // the sampler's samples are the System's positions [B, N, 3]
    positions.numSystemAtoms = context.getSystem().getNumParticles();
    try {
        return ada::readObservableSpecification(file, positions, {positions.numSystemAtoms, 3});
    } catch (const ada::SpecError& e) {
        throw OpenMM::OpenMMException(std::string("SimulationAlignment: ") + e.what());
    }
}

SimulationAlignmentOptions withTemperature(SimulationAlignmentOptions options, double temperature) {
    options.temperature = temperature;
    return options;
}

}  // namespace

SimulationAlignment::SimulationAlignment(OpenMM::Context& context, ADAForce& force, const std::string& observablesFile,
                                         const SimulationAlignmentOptions& options)
    : SimulationAlignment(context, force, systemObservables(context, observablesFile), options) {}

SimulationAlignment::SimulationAlignment(OpenMM::Context& context, ADAForce& force, ada::ObservableSpecification specification,
                                         const SimulationAlignmentOptions& options)
    : SimulationAlignment(context, force, std::move(specification.targets), withTemperature(options, specification.temperature)) {}

SimulationAlignment::~SimulationAlignment() = default;

std::vector<double> SimulationAlignment::round() {
    OpenMM::Integrator& integrator = context_.getIntegrator();
    integrator.step(options_.equilibrationSteps);
    const int n = context_.getSystem().getNumParticles();
    at::Tensor frames = at::empty({options_.framesPerRound, n, 3}, at::kDouble);
    for (int f = 0; f < options_.framesPerRound; ++f) {
        integrator.step(options_.stepsPerFrame);
        const std::vector<OpenMM::Vec3> x = context_.getState(OpenMM::State::Positions).getPositions();
        auto a = frames[f];
        for (int i = 0; i < n; ++i)
            for (int k = 0; k < 3; ++k)
                a[i][k] = x[i][k];
    }
    const std::vector<at::Tensor> observed = critics_->observe(frames);
    // Frames were drawn under U_bias = kT β F_bias: log-offsets β F_bias, with the critics as they were then.
    const at::Tensor offsets = biased_ ? options_.critics.beta * critics_->potentialOfObservables(observed) : at::zeros({options_.framesPerRound}, at::kDouble);
    std::vector<double> gaps;
    try {
        gaps = critics_->gaps(observed);
        for (int done = 0; rounds_ == 0 && done < options_.criticWarmup; done += static_cast<int>(options_.critics.steps))
            critics_->update(observed, offsets);
        critics_->update(observed, offsets);
        bias_["terms"] = critics_->biasTerms(options_.critics.beta, observed, options_.folder, "simulation_critic");
    } catch (const ada::SpecError& e) {
        throw OpenMM::OpenMMException(std::string("SimulationAlignment: ") + e.what());
    }
    force_.setBiasFromJSON(bias_.dump(), options_.folder);
    force_.updateParametersInContext(context_);
    biased_ = true;
    ++rounds_;
    return gaps;
}

}  // namespace OpenMMADA
