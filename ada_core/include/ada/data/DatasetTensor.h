#pragma once
// The bridge between a Dataset (ada/io, plain C++) and the tensors the learners train on (DESIGN.md §1):
// particles as [B, N, 3] or flattened [B, 3N] (row-major, so flattening is a view), vectors as [B, D];
// float32 or float64, in nm. And back: tensors of samples to a validated Dataset, e.g. to write them as NPY.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include "ada/io/Dataset.h"

namespace ada {

enum class TensorShape {
    Flat,      ///< [B, frameSize]: [B, 3N] for particles, [B, D] for vectors
    Particles  ///< [B, N, 3]; particle datasets only
};

/** The frames of `data` as a new tensor of the given dtype (at::kFloat or at::kDouble) on `device`. */
at::Tensor datasetTensor(const Dataset& data, TensorShape shape = TensorShape::Flat, c10::ScalarType dtype = c10::kFloat,
                         c10::Device device = c10::Device(c10::kCPU));

/**
 * A Dataset from a tensor [B, N, 3] (particles) or [B, D] (vectors), any floating dtype and device; `expect`
 * as in Dataset::fromValues. Throws SpecError naming `source` for another rank, no frames, or non-finite values.
 */
Dataset datasetFromTensor(const at::Tensor& tensor, const std::string& source, Dataset::Expect expect = Dataset::Expect::Any);

}  // namespace ada
