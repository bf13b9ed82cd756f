#pragma once
// The observable specification of an alignment (DESIGN.md §3.3, §4): a JSON file
//   {"temperature": 300,
//    "observables": [{"name": "j", "observable": {"type": "jcoupling", ...}, "data": "j.npy", "scale": 1}, ...]}
// naming, for each observable o_i, its experimental samples y_ij ~ ν_i: an NPY file of shape [m] or [m, d]
// (paths relative to the JSON file), and optionally the unit `scale` (> 0, default 1) in which its critic is
// 1-Lipschitz: |∇f_i| <= 1/scale in the observable's own units (AlignmentTarget::lipschitz). Read once here for `ada align` (a generator as the sampler) and for
// SimulationAlignment (biased MD as the sampler).
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "ada/align/AlignmentTarget.h"
#include "ada/models/TrainedModel.h"

namespace ada {

struct ObservableSpecification {
    /** Temperature (K) of the exported bias, U_bias = kT β Σ_i f_i. */
    double temperature = 300.0;
    std::vector<AlignmentTarget> targets;
};

/**
 * Reads the specification at `path` and each observable's samples, as targets of a sampler whose samples
 * have shape [B, eventShape...] and come from positions through `preparation` (modelObservableTarget). Throws
 * SpecError naming the file, the field and the problem (unreadable JSON, no observables, a non-positive
 * temperature, an unreadable data file, samples of the wrong dimension or with NaN, an atom out of range).
 */
ObservableSpecification readObservableSpecification(const std::string& path, const DataPreparation& preparation,
                                                    const std::vector<int64_t>& eventShape);

/** Experimental samples from an NPY file of shape [m] or [m, d], as float64 [m, d]; `where` names the field. */
at::Tensor readObservableSamples(const std::string& path, const std::string& where);

}  // namespace ada
