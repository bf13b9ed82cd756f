#pragma once
// The options of `ada align` (AlignCommand.cpp), shared by its two critic families: MLP critics (ADA, the
// adversarial loop of DESIGN.md §3.3) and polynomial critics of the first K moments (expectation alignment,
// the EA baseline; ExpectationAlign.cpp).
#include <cstdint>
#include <string>

struct AlignOptions {
    std::string model, observables, out, generator = "reweighted-flow-matching", python;
    /** "mlp" (ADA) or "polynomial" (EA). */
    std::string critics = "mlp";
    /** EA: the highest total degree K of the matched moments. */
    int64_t moments = 2;
    double beta = 20.0, penalty = 100.0, criticLearningRate = 1e-2, criticFinalFraction = 1.0, flowLearningRate = 1e-3;
    int64_t rounds = 200, criticSteps = 10, criticWarmup = 2000, generatorIterations = 20, pool = 4096, samples = 2000, checkpointEvery = 20,
            roundSamples = 256;
    uint64_t seed = 0;
    bool resume = false, png = true;
};

/** `ada align --critics polynomial`: expectation alignment of the base model's samples (ExpectationAlign.cpp). */
void alignExpectations(const AlignOptions& options);
