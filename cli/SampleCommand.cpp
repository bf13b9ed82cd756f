// ada sample: draw configurations from a model written by `ada pretrain`.
//   ada sample --model model.adab --count 1000 --out samples.npy|.dcd|.pdb [--topology template.pdb]
//              [--method dopri5|rk4|sde] [--steps 50] [--batch 1000] [--seed 0]
// Samples come out in the frame of the training data (centred, and superposed on its reference when the
// model was trained aligned), in nm (the model's scale undone), one frame per sample.
#include <iostream>
#include <memory>

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include "Commands.h"
#include "ada/data/DatasetTensor.h"
#include "ada/flow/MemorylessSDE.h"
#include "ada/flow/OdeSampler.h"
#include "ada/io/Dcd.h"
#include "ada/io/PdbFrames.h"
#include "ada/io/SpecError.h"
#include "ada/models/TrainedModel.h"

namespace {

struct SampleOptions {
    std::string model, out, topology, method = "dopri5";
    int64_t count = 1000, steps = 50, batch = 1000;
    uint64_t seed = 0;
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
    at::Generator generator = at::detail::createCPUGenerator(o.seed);
    std::vector<at::Tensor> parts;
    int64_t evaluations = 0;
    for (int64_t done = 0; done < o.count; done += o.batch) {
        const int64_t n = std::min(o.batch, o.count - done);
        if (o.method == "sde") {
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
    at::Tensor samples = at::cat(parts, 0).to(at::kDouble) * model.data.scale;
    if (model.data.particles)
        samples = samples.reshape({o.count, -1, 3});
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
    std::cout << "wrote " << o.out << " (" << o.count << " samples, " << o.method << ", " << evaluations << " field evaluations)\n";
}

}  // namespace

void addSampleCommand(CLI::App& app) {
    auto o = std::make_shared<SampleOptions>();
    auto* c = app.add_subcommand("sample", "Draw configurations from a model (NPY, DCD or PDB)");
    c->add_option("--model", o->model, "model written by ada pretrain")->required();
    c->add_option("--out", o->out, "output: .npy, .dcd or .pdb")->required();
    c->add_option("--count", o->count, "number of samples")->capture_default_str();
    c->add_option("--topology", o->topology, "template PDB for .pdb output");
    c->add_option("--method", o->method, "dopri5 (adaptive ODE), rk4 (ODE, --steps) or sde (memoryless SDE, --steps)")->capture_default_str()
        ->check(CLI::IsMember({"dopri5", "rk4", "sde"}));
    c->add_option("--steps", o->steps, "steps of rk4 or sde")->capture_default_str();
    c->add_option("--batch", o->batch, "samples integrated at once")->capture_default_str();
    c->add_option("--seed", o->seed, "random seed")->capture_default_str();
    c->callback([o] { sample(*o); });
}
