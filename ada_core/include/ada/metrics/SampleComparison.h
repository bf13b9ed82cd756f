#pragma once
// One scalar quantity compared between two ensembles (a model's samples and reference samples), as the
// components of an evaluation report: histograms of both on common bins, their Jensen-Shannon divergence
// (nats, Histogram.h) and the 1-Wasserstein distance of the raw samples (circular for angles, Wasserstein1D.h).
// Used by ObservableComparison (one entry per observable component) and by `ada evaluate --energy` (the energy
// and the interparticle distances of a sampler against reference configurations).
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ada/metrics/Histogram.h"

namespace ada {

/** Bins over both samples' whole range ([-pi, pi) and periodic for angles). */
HistogramAxis commonAxis(const std::vector<double>& model, const std::vector<double>& reference, bool angle, int bins);

/**
 * Bins that hold the whole reference and the central `1 - 2 tail` of the model: [min(reference min, model's
 * tail quantile), max(reference max, model's 1 - tail quantile)]. A model whose samples stray far (a sampler's
 * clashes, E ~ 1e10) would otherwise squeeze the reference into one bin; its strays fall into the edge bins.
 */
HistogramAxis referenceAxis(const std::vector<double>& model, const std::vector<double>& reference, int bins, double tail = 0.01);

/**
 * {name, type, angle, jsd, w1, edges, p_model, p_reference, outside_model}: outside_model is the fraction of the
 * model's samples beyond the axis (counted in its edge bins; 0 for periodic axes). Throws SpecError when either
 * sample is empty or holds a non-finite value.
 */
nlohmann::json compareSamples(const std::string& name, const std::string& type, const HistogramAxis& axis,
                              const std::vector<double>& model, const std::vector<double>& reference);

}  // namespace ada
