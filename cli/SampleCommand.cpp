// ada sample: draw configurations from a model written by `ada pretrain`.
//   ada sample --model model.adab --count 1000 --out samples.npy|.dcd|.pdb [--topology template.pdb]
//              [--method dopri5|rk4|sde] [--steps 50] [--batch 1000] [--seed 0]
// Samples come out in the frame of the training data (centred, and superposed on its reference when the
// model was trained aligned), in nm (the model's scale undone), one frame per sample.
// Models of kind "adjoint_sampling" (`ada adjoint-sample`) are sampled by their controlled SDE from X_0 = 0
// (soc/AdjointSampler.h; --steps and --integrator euler|heun override the model's, --method does not apply); particles in 2-D
// come out as [count, N*2] NPY. With --energy, also prints their path effective sample size.
#include <iostream>
#include <memory>

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include "Commands.h"
#include "EnergyOption.h"
#include "ada/data/DatasetTensor.h"
#include "ada/flow/MemorylessSDE.h"
#include "ada/flow/OdeSampler.h"
#include "ada/io/Dcd.h"
#include "ada/io/PdbFrames.h"
#include "ada/io/SpecError.h"
#include "ada/metrics/PathEffectiveSampleSize.h"
#include "ada/models/TrainedModel.h"
#include "ada/soc/AdjointSampler.h"

namespace {

struct SampleOptions {
    std::string model, out, topology, method = "dopri5", energy, integrator;
    int64_t count = 1000, steps = 50, batch = 1000;
    uint64_t seed = 0;
    bool stepsGiven = false, methodGiven = false;
    double temperature = 300.0;
};

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void sample(const SampleOptions& o) {
    if (o.count <= 0 || o.batch <= 0 || o.steps <= 0)
        throw ada::SpecError("--count, --batch and --steps must be positive");
    const bool npy = endsWith(o.out, ".npy"), dcd = endsWith(o.out, ".dcd"), pdb = endsWith(o.out, ".pdb");
    if (!npy && !dcd && !pdb)
        throw ada::SpecError(o.out + ": the output must end in .npy, .dcd or .pdb");
    if (pdb && o.topology.empty())
        throw ada::SpecError("--topology: a template PDB file is needed to write " + o.out);
    ada::TrainedModel model = ada::loadTrainedModel(o.model);
    if ((dcd || pdb) && !model.data.particles)
        throw ada::SpecError(o.model + ": the model is of vectors, not particles; write .npy");
    const bool adjoint = model.modelKind == ada::AdjointSampler::modelKind;
    if (!adjoint && model.modelKind != "flow_matching")
        throw ada::SpecError(o.model + ": config.model_kind \"" + model.modelKind + "\" is neither flow_matching nor adjoint_sampling");
    if (adjoint && o.methodGiven)
        throw ada::SpecError("--method does not apply to " + o.model + ", an adjoint-sampling model (sampled by its controlled SDE)");
    if (!adjoint && !o.integrator.empty())
        throw ada::SpecError("--integrator applies to adjoint-sampling models; " + o.model + " is a flow model (see --method)");
    if (!adjoint && !o.energy.empty())
        throw ada::SpecError("--energy (path ESS) applies to adjoint-sampling models; " + o.model + " is a flow model");
    std::unique_ptr<ada::AdjointSampler> sampler;
    std::unique_ptr<ada::Energy> energy;
    if (adjoint) {
        sampler = std::make_unique<ada::AdjointSampler>(ada::AdjointSampler::fromJson(model.sampler, o.model + ": config.sampler"));
        if (o.stepsGiven || !o.integrator.empty())
            *sampler = ada::AdjointSampler(sampler->schedule(), o.stepsGiven ? o.steps : sampler->steps(),
                                           o.integrator.empty() ? sampler->integrator() : ada::sdeIntegratorFromName(o.integrator, "--integrator"));
        if (!o.energy.empty()) {
            if (sampler->integrator() != ada::SdeIntegrator::EulerMaruyama)
                throw ada::SpecError("--energy (path ESS) needs the Euler-Maruyama chain's path weights; " + o.model + " samples with " +
                                     ada::sdeIntegratorName(sampler->integrator()) + ": add --integrator euler");
            energy = energyFromOption(o.energy, o.temperature, 1);
            if (energy->particles() * energy->spatialDimension() != model.field->flatDimension())
                throw ada::SpecError("--energy " + o.energy + " has " + std::to_string(energy->particles()) + " particles in " +
                                     std::to_string(energy->spatialDimension()) + "-D, " + o.model + " samples " +
                                     std::to_string(model.field->flatDimension()) + " coordinates");
        }
    }
    at::Generator generator = at::detail::createCPUGenerator(o.seed);
    std::vector<at::Tensor> parts;
    std::vector<double> logWeights;
    int64_t evaluations = 0;
    for (int64_t done = 0; done < o.count; done += o.batch) {
        const int64_t n = std::min(o.batch, o.count - done);
        if (adjoint) {
            if (energy) {
                const double tau = model.sampler.value("temperature", 1.0);  // the tau of training (1 from ada adjoint-sample)
                const ada::ControlledPaths paths = sampler->sampleWithLogWeights(*model.field, n, *energy, tau, generator);
                parts.push_back(paths.samples.reshape({n, -1}));
                logWeights.insert(logWeights.end(), paths.logWeights.data_ptr<double>(), paths.logWeights.data_ptr<double>() + n);
            } else {
                parts.push_back(sampler->sample(*model.field, n, generator).reshape({n, -1}));
            }
            evaluations += sampler->fieldEvaluations();
        } else if (o.method == "sde") {
            ada::MemorylessSDEOptions sde;
            sde.steps = o.steps;
            parts.push_back(ada::MemorylessSDE(sde).sample(*model.field, n, generator).samples);
            evaluations += o.steps;
        } else {
            ada::OdeOptions ode = o.method == "rk4" ? ada::OdeOptions::rk4(o.steps) : ada::OdeOptions::dormandPrince(1e-5, 1e-5);
            ada::OdeSample s = ada::sampleByOde(*model.field, n, ode, generator);
            parts.push_back(s.samples);
            evaluations += s.functionEvaluations;
        }
        std::cerr << "ada sample: " << done + n << "/" << o.count << " samples\n";
    }
    const at::Tensor samples = model.data.framesOf(at::cat(parts, 0));
    const ada::Dataset out = ada::datasetFromTensor(samples, o.model + " samples");
    if (npy) {
        out.writeNpy(o.out, "<f4");
    } else if (dcd) {
        ada::DcdTrajectory trajectory;
        trajectory.numAtoms = out.numAtoms();
        trajectory.positions = out.values();
        trajectory.title = "samples of " + o.model;
        ada::writeDcd(o.out, trajectory);
    } else {
        ada::writePdbFrames(o.topology, out.values(), out.numAtoms(), o.out);
    }
    std::cout << "wrote " << o.out << " (" << o.count << " samples, " << (adjoint ? "controlled SDE" : o.method) << ", " << evaluations
              << " field evaluations)\n";
    if (!logWeights.empty())
        std::cout << "path ESS " << ada::pathEffectiveSampleSize(logWeights) << " (fraction of " << logWeights.size() << " samples, against "
                  << o.energy << ")\n";
}

}  // namespace

void addSampleCommand(CLI::App& app) {
    auto o = std::make_shared<SampleOptions>();
    auto* c = app.add_subcommand("sample", "Draw configurations from a model (NPY, DCD or PDB)");
    c->add_option("--model", o->model, "model written by ada pretrain")->required();
    c->add_option("--out", o->out, "output: .npy, .dcd or .pdb")->required();
    c->add_option("--count", o->count, "number of samples")->capture_default_str();
    c->add_option("--topology", o->topology, "template PDB for .pdb output");
    auto* method = c->add_option("--method", o->method, "dopri5 (adaptive ODE), rk4 (ODE, --steps) or sde (memoryless SDE, --steps)")
        ->capture_default_str()->check(CLI::IsMember({"dopri5", "rk4", "sde"}));
    auto* steps = c->add_option("--steps", o->steps, "steps of rk4 or sde (adjoint-sampling models: default their own)")->capture_default_str();
    c->add_option("--integrator", o->integrator, "adjoint-sampling models: euler or heun (default: the model's)")
        ->check(CLI::IsMember({"euler", "heun"}));
    c->add_option("--energy", o->energy, "adjoint-sampling models: also print the path ESS against this energy (as in adjoint-sample)");
    c->add_option("--temperature", o->temperature, "K, for --energy openmm:<system.xml>")->capture_default_str();
    c->add_option("--batch", o->batch, "samples integrated at once")->capture_default_str();
    c->add_option("--seed", o->seed, "random seed")->capture_default_str();
    c->callback([o, method, steps] {
        o->methodGiven = method->count() > 0;
        o->stepsGiven = steps->count() > 0;
        sample(*o);
    });
}
