#pragma once
// The options of `ada align` (AlignCommand.cpp), shared by its two critic families: MLP critics (ADA, the
// adversarial loop of DESIGN.md §3.3) and polynomial critics of the first K moments (expectation alignment,
// the EA baseline; ExpectationAlign.cpp).
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

struct AlignOptions {
    std::string model, observables, out, generator = "reweighted-flow-matching", python;
    /** Frames of the base ensemble (NPY/DCD, e.g. the MD the base model was trained on) to use as the critics'
     *  pool instead of --pool samples of the base model. */
    std::string poolSamples;
    /** "mlp" (ADA) or "polynomial" (EA). */
    std::string critics = "mlp";
    /** EA: the highest total degree K of the matched moments. */
    int64_t moments = 2;
    double beta = 20.0, penalty = 100.0, criticLearningRate = 1e-2, criticFinalFraction = 1.0, criticAverage = 0.0, flowLearningRate = 1e-3, generatorAverage = 0.995;
    int64_t rounds = 200, criticSteps = 10, criticWarmup = 2000, generatorIterations = 150, pool = 4096, samples = 2000, checkpointEvery = 20,
            roundSamples = 256;
    uint64_t seed = 0;
    bool resume = false, png = true;
};

/** `ada align --critics polynomial`: expectation alignment of the base model's samples (ExpectationAlign.cpp). */
void alignExpectations(const AlignOptions& options);

namespace ada {
struct TrainedModel;
}
/** The --pool-samples frames as samples of the base model ([n, event...], prepared as its training data), or an
 *  undefined tensor without the option. */
at::Tensor givenPool(const AlignOptions& options, const ada::TrainedModel& base);
