#pragma once
// One observable's entry in an `ada align` report (both critic families): W1 to the experiment before and after
// alignment (exact for 1-D observables, periodic for angles) and, for 1-D, histograms of the base, aligned and
// experimental samples on 60 common bins (over [-pi, pi] for angles), which `python -m openmmada.plots` draws.
#include <nlohmann/json.hpp>

#include <ATen/core/Tensor.h>

#include "ada/align/AlignmentTarget.h"

/** base, aligned: the observable of base and aligned samples, [n, d] each. */
nlohmann::json observableComparison(const ada::AlignmentTarget& target, const at::Tensor& base, const at::Tensor& aligned);
