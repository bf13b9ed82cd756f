#include "ada/models/VectorField.h"

#include <ATen/ATen.h>

#include "ada/io/SpecError.h"

namespace ada {

int64_t VectorField::flatDimension() const {
    int64_t d = 1;
    for (int64_t s : eventShape())
        d *= s;
    return d;
}

at::TensorOptions VectorField::tensorOptions() const {
    const auto params = parameters();
    if (params.empty())
        return at::TensorOptions().dtype(at::kDouble);
    return params.front().options();
}

at::Tensor VectorField::batchTimes(const at::Tensor& t, const at::Tensor& x, const std::string& who) {
    const int64_t batch = x.size(0);
    at::Tensor times = t.to(x.options()).reshape({-1});
    if (times.size(0) == 1 && batch != 1)
        return times.expand({batch});
    if (times.size(0) != batch)
        throw SpecError(who + ": expected " + std::to_string(batch) + " times (one per sample) or one, found " + std::to_string(times.size(0)));
    return times;
}

}  // namespace ada
