// Throughput of the C++ flow-matching trainer and ODE sampler for an MLP vector field, printed as one line
// of JSON so that benchmarks/flow_training_throughput.py can set it beside the Python PyTorch reference
// (benchmarks/flow_training_reference.py) measured in the same run. A training step is what
// FlowMatchingTrainer::trainStep does: draw x0 and t, the loss of DESIGN.md §3.1, backward, Adam, EMA.
//   flow_training_benchmark --dim 66 --hidden 256 --layers 4 --batch 256 --steps 200 --threads 2
#include <sys/resource.h>

#include <chrono>
#include <iostream>

#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include "ada/flow/FlowMatchingTrainer.h"
#include "ada/flow/OdeSampler.h"
#include "ada/models/MLPVectorField.h"

int main(int argc, char** argv) {
    CLI::App app{"C++ flow-matching training and sampling throughput"};
    int64_t dim = 66, hidden = 256, layers = 4, batch = 256, steps = 200, warmup = 20, sampleCount = 1000, rk4Steps = 50;
    int threads = 2;
    app.add_option("--dim", dim);
    app.add_option("--hidden", hidden);
    app.add_option("--layers", layers);
    app.add_option("--batch", batch);
    app.add_option("--steps", steps);
    app.add_option("--warmup", warmup);
    app.add_option("--threads", threads);
    app.add_option("--samples", sampleCount, "samples drawn by the RK4 sampler");
    app.add_option("--rk4-steps", rk4Steps);
    CLI11_PARSE(app, argc, argv);
    at::set_num_threads(threads);
    torch::manual_seed(0);

    auto model = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(dim).hidden(hidden).layers(layers));
    const at::Tensor data = torch::randn({4 * batch, dim});
    ada::FlowMatchingTrainer trainer(model, data, at::Tensor(),
                                     ada::FlowMatchingTrainerOptions().steps(warmup + steps).batchSize(batch).progressEvery(0).seed(1));
    const at::Tensor fixedBatch = data.slice(0, 0, batch);
    for (int64_t s = 0; s < warmup; ++s)
        trainer.trainStep(fixedBatch);
    auto start = std::chrono::steady_clock::now();
    for (int64_t s = 0; s < steps; ++s)
        trainer.trainStep(fixedBatch);
    const double trainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    ada::OdeOptions ode;
    ode.method = ada::OdeMethod::RK4;
    ode.steps = rk4Steps;
    at::Generator generator = at::detail::createCPUGenerator(2);
    start = std::chrono::steady_clock::now();
    ada::sampleByOde(*trainer.emaModel(), sampleCount, ode, generator);
    const double sampleSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::cout << "{\"implementation\": \"C++ (LibTorch " << TORCH_VERSION << ")\", \"train_samples_per_s\": " << steps * batch / trainSeconds
              << ", \"sample_per_s\": " << sampleCount / sampleSeconds << ", \"peak_rss_mb\": " << usage.ru_maxrss / 1024.0 << "}\n";
    return 0;
}
