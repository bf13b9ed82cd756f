#pragma once
// One observable of an ADA alignment (DESIGN.md §3.3): the map o_i from the sampler's configurations to R^{d_i}
// and the samples y_ij ~ ν_i of its experimental distribution. The map is differentiable (autograd), so the
// reward r(x) = −β Σ_i f_i(o_i(x)) of the generator phase has a gradient; for molecular models it is an
// Observable of ada/observables (the same code as the bias force) evaluated through ada/torch/ObservableOp.h.
#include <functional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "ada/models/TrainedModel.h"

namespace ada {

struct AlignmentTarget {
    using Map = std::function<at::Tensor(const at::Tensor&)>;

    std::string name;
    /** o_i: samples [B, event...] of the sampler → [B, d], differentiable. */
    Map observe;
    /** Experimental samples [m, d] (float64). */
    at::Tensor data;
    /** The observable's JSON form (DESIGN.md §4), for the exported bias; may be null for synthetic maps. */
    nlohmann::json observable;
    /** A 1-D angle (periodic spline on export). */
    bool angle = false;
    /** An image observable's shape {height, width} (height · width = d; Observable::imageShape): its critic is
     *  convolutional. Empty: a vector observable. */
    std::vector<int64_t> image;
    /** The critic's Lipschitz bound in the observable's units, 1 / scale: the W1 of DESIGN.md §3.3 is measured in
     *  units of `scale` (the specification's optional "scale"), so that observables of different spreads (a
     *  distance in nm, a coupling in Hz) can each be tilted as sharply as their distributions need. */
    double lipschitz = 1.0;

    int64_t dimension() const { return data.size(1); }
};

/**
 * A target for a model written by `ada pretrain`: `observable` is the JSON form of DESIGN.md §4 in system atom
 * indices; model samples y [B, event...] are mapped back to positions x = s·y of the modelled atoms in the
 * system's numbering (DataPreparation) before the observable is evaluated. `data` [m, d] must have the
 * observable's dimension and finite values. Throws SpecError naming `where` and the problem (unknown type, an
 * atom the model does not contain, a data file of the wrong dimension, NaN, no samples).
 */
AlignmentTarget modelObservableTarget(const std::string& name, const nlohmann::json& observable, const DataPreparation& preparation,
                                      const std::vector<int64_t>& eventShape, const at::Tensor& data, const std::string& where);

/** o_i of samples [B, event...] for every target, without gradients ([B, d_i] float64 each). */
std::vector<at::Tensor> observeTargets(const std::vector<AlignmentTarget>& targets, const at::Tensor& samples);

/** Checks a target's data [m, d] (defined, 2-D, m >= 1, finite) and returns them as float64. */
at::Tensor checkedTargetData(const at::Tensor& data, int64_t dimension, const std::string& where);

}  // namespace ada
