#include "ada/data/DatasetTensor.h"

#include <ATen/ATen.h>

#include "ada/io/SpecError.h"

namespace ada {

at::Tensor datasetTensor(const Dataset& data, TensorShape shape, c10::ScalarType dtype, c10::Device device) {
    if (dtype != at::kFloat && dtype != at::kDouble)
        throw SpecError(data.source() + ": a dataset tensor must be float32 or float64, not " + std::string(c10::toString(dtype)));
    std::vector<int64_t> sizes{data.numFrames(), data.frameSize()};
    if (shape == TensorShape::Particles)
        sizes = {data.numFrames(), data.numAtoms(), 3};  // numAtoms() rejects vector datasets
    // from_blob does not copy: the copy to the requested dtype and device does.
    at::Tensor view = at::from_blob(const_cast<double*>(data.values().data()), sizes, at::TensorOptions().dtype(at::kDouble));
    return view.to(at::TensorOptions().dtype(dtype).device(device), /*non_blocking=*/false, /*copy=*/true);
}

Dataset datasetFromTensor(const at::Tensor& tensor, const std::string& source, Dataset::Expect expect) {
    if (!at::isFloatingType(tensor.scalar_type()))
        throw SpecError(source + ": expected a floating-point tensor, found " + std::string(c10::toString(tensor.scalar_type())));
    const at::Tensor x = tensor.detach().to(at::kCPU).to(at::kDouble).contiguous();
    std::vector<double> values(x.data_ptr<double>(), x.data_ptr<double>() + x.numel());
    return Dataset::fromValues(std::move(values), x.sizes().vec(), source, expect);
}

}  // namespace ada
