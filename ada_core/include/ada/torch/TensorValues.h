#pragma once
// A tensor's values as a flat std::vector<double> (row-major, converted to float64), for the code that hands
// tensors to plain-C++ algorithms (metrics, JSON reports).
#include <vector>

#include <ATen/ATen.h>

namespace ada {

inline std::vector<double> doubleValues(const at::Tensor& t) {
    const at::Tensor c = t.detach().to(at::kCPU, at::kDouble).contiguous().reshape({-1});
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace ada
